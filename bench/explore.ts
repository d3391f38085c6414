// Explorer benchmark on the DFS pagefault/invalidate race (seed 004): time to the first counterexample
// under 2.5.70 and the exhaustive proof for the fixed variants, each with the state-hashing reduction
// and, as the baseline measured in the same run, the unreduced search (every interleaving, capped).
// Then the ladder of issue 13: N faulters + truncate, N = 1..4 (`--max-n N`, `--limit-ms MS` per
// reduced search, `--baseline-ms MS` for the unreduced and state-hashing baselines, `--ladder-only`).
// Prints a table, then one JSON line per part. npm run bench:explore runs it with 64 MB semi-spaces, the
// young generation the search's worker threads get (explorerWorkers.ts).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

import { createMachine } from '../src/engine/index';
import { explore, type ExploreOptions, type ExploreResult } from '../src/scenario/explorer';
import { exploreAsync } from '../src/scenario/explorer';
import { loadScenario, machineFactory } from '../src/scenario/runner';

import { backtrackCost } from './backtrack';
import { checkpointRatio } from './checkpoints';
import { faultersAndTruncate, runLadder } from './ladder';
import { cpuMs, median } from './measure';
import { runSpin, spinAvailable } from './spin';

const argv = process.argv.slice(2);
const arg = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const ladderOnly = argv.includes('--ladder-only');
// only the comparison of checkpoints against full replay (and the backtrack costs)
const checkpointsOnly = argv.includes('--checkpoints-only');

const dir = join(process.cwd(), 'scenarios');
const file = readdirSync(dir).find((f) => f.includes('dfs') && f.endsWith('.mmscenario.yaml'));
if (!file) throw new Error(`no DFS scenario in ${dir}`);
const path = join(dir, file);
const loaded = loadScenario(readFileSync(path, 'utf8'), path);
if (!loaded.scenario) throw new Error(loaded.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`).join('\n'));
const s = loaded.scenario;

function dfsBench(): void {
  const UNREDUCED_CAP_MS = 3000;

  /** run `n` times after one warm-up run (JIT) and keep the median time (the last result is returned) */
  function timed(label: string, opts: ExploreOptions, n: number): { r: ExploreResult; ms: number } {
    const col = s.columns.find((c) => c.label === label)!;
    const make = machineFactory(s, col.selection);
    let r!: ExploreResult;
    const times: number[] = [];
    explore(make, {
      maxSteps: s.bounds.steps,
      maxPreemptions: s.bounds.preemptions,
      ...opts,
      timeLimitMs: Math.min(opts.timeLimitMs ?? Infinity, 500),
    });
    for (let i = 0; i < n; i++) {
      r = explore(make, { maxSteps: s.bounds.steps, maxPreemptions: s.bounds.preemptions, ...opts });
      times.push(r.timeMs);
    }
    return { r, ms: median(times) };
  }

  const rows: string[][] = [];
  const out: Record<string, unknown> = { scenario: file };
  const broken = s.columns.find((c) => s.expect[c.label]?.violation?.length)?.label ?? s.columns[0].label;
  const fixed = s.columns.filter((c) => s.expect[c.label]?.never?.length || s.expect[c.label]?.clean).map((c) => c.label);

  // time to the first counterexample (no shrinking: the search alone)
  // the first counterexample, twice each, interleaved so that both searches see the same machine load;
  // the time is the search's own firstViolationMs, the median over the runs
  const fTimes: number[] = [];
  const fuTimes: number[] = [];
  let first!: { r: ExploreResult; ms: number };
  let firstU!: { r: ExploreResult; ms: number };
  for (let i = 0; i < 4; i++) {
    first = timed(broken, { stopAtFirst: true, shrink: false, reduction: 'state' }, 3);
    firstU = timed(broken, { stopAtFirst: true, shrink: false, reduction: 'none', timeLimitMs: UNREDUCED_CAP_MS }, 3);
    fTimes.push(first.r.firstViolationMs ?? NaN);
    fuTimes.push(firstU.r.firstViolationMs ?? NaN);
  }
  const fMs = median(fTimes);
  const fuMs = median(fuTimes);
  rows.push([
    `first counterexample (${broken})`,
    'state hashing',
    fMs.toFixed(2),
    String(first.r.schedules),
    String(first.r.states),
    first.r.violations.map((v) => v.invariant).join(','),
  ]);
  rows.push([
    `first counterexample (${broken})`,
    'unreduced',
    fuMs.toFixed(2),
    String(firstU.r.schedules),
    String(firstU.r.states),
    firstU.r.violations.map((v) => v.invariant).join(','),
  ]);
  out.firstCounterexampleMs = +fMs.toFixed(3);
  out.firstCounterexampleMsUnreduced = +fuMs.toFixed(3);
  out.firstCounterexampleRatio = +(fMs / fuMs).toFixed(3);

  // exhaustive search of each column
  const proofs: Record<string, number> = {};
  let statesPerSec = 0;
  let statesPerSecU = 0;
  for (const col of s.columns) {
    const red = timed(col.label, { reduction: 'state' }, 3);
    const un = timed(col.label, { reduction: 'none', timeLimitMs: UNREDUCED_CAP_MS, shrink: false }, 1);
    const sps = red.r.states / (red.ms / 1000);
    const spsU = un.r.states / (un.ms / 1000);
    if (col.label === broken || statesPerSec === 0) statesPerSec = Math.max(statesPerSec, sps);
    statesPerSecU = Math.max(statesPerSecU, spsU);
    rows.push([
      `exhaustive (${col.label})`,
      'state hashing',
      red.ms.toFixed(2),
      String(red.r.schedules),
      String(red.r.states),
      `${red.r.complete ? 'complete' : 'incomplete'} ${red.r.violations.map((v) => v.invariant).join(',')}`,
    ]);
    rows.push([
      `exhaustive (${col.label})`,
      'unreduced',
      un.ms.toFixed(2),
      String(un.r.schedules),
      String(un.r.states),
      `${un.r.complete ? 'complete' : un.r.timedOut ? `stopped at ${UNREDUCED_CAP_MS} ms` : 'incomplete'} ${un.r.violations.map((v) => v.invariant).join(',')}`,
    ]);
    if (fixed.includes(col.label)) proofs[col.label] = +red.ms.toFixed(3);
    out[`exhaustive_${col.label}`] = {
      ms: +red.ms.toFixed(3),
      schedules: red.r.schedules,
      states: red.r.states,
      complete: red.r.complete,
      unreducedMs: +un.ms.toFixed(3),
      unreducedSchedules: un.r.schedules,
      unreducedComplete: un.r.complete,
      // schedules the unreduced search ran per schedule of the reduced one (a lower bound when capped)
      scheduleRatio: +(un.r.schedules / Math.max(1, red.r.schedules)).toFixed(2),
    };
  }
  out.proofMs = proofs;
  out.maxProofMs = Math.max(0, ...Object.values(proofs));
  out.statesPerSec = Math.round(statesPerSec);
  out.statesPerSecUnreduced = Math.round(statesPerSecU);
  out.goals = { firstCounterexampleUnder50ms: fMs < 50, proofsUnder1s: (out.maxProofMs as number) < 1000 };

  const header = ['measure', 'search', 'ms', 'schedules', 'states', 'outcome'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(`explorer benchmark: ${file}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  console.log(JSON.stringify(out));
}

if (!ladderOnly && !checkpointsOnly) dfsBench();

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const loadBefore = load();
console.log(`\nladder: N faulters (own mm, own page of one shared file) + truncate to 0; partial-order reduction`);
console.log(`load average ${loadBefore} on ${cpus().length} cores (wall times are noisy on a shared machine: states/s is per CPU second)`);
const ladder = checkpointsOnly
  ? []
  : runLadder({
      maxN: arg('max-n', 4),
      variants: ['2.5.70', 'truncate-seq'],
      limitMs: arg('limit-ms', 60_000),
      baselineMs: arg('baseline-ms', 20_000),
      log: (l) => console.log(l),
    });
// the anchor: SPIN on the N = 2 world in Promela, next to the explorer's N = 2 rows of this run
const spin: Record<string, unknown> = {};
if (checkpointsOnly) {
  // the ladder, SPIN and --jobs are not run
} else if (spinAvailable()) {
  console.log('\nSPIN anchor: bench/spin/truncate2.pml (N = 2), full state space');
  // states/s only compares like with like against the state-hashing search (every distinct state it
  // reaches, once, like pan's stored states; its sleep sets skip steps, not states, up to the names of
  // fresh pages): the reduced search reaches fewer states, so a better reduction would read as a
  // slower explorer. The reduced search is compared by time to the verdict.
  console.log(
    "(states/s: pan stored states against the explorer's state-hashing search; verdict: CPU ms of the reduced search over pan's time)",
  );
  for (const variant of ['2.5.70', 'truncate-seq']) {
    const r = runSpin(join(process.cwd(), 'bench/spin/truncate2.pml'), variant);
    const row = ladder.find((x) => x.por.n === 2 && x.por.variant === variant);
    // a rate, so a search cut at --baseline-ms still gives one
    const full = row?.state;
    const ratio = full ? r.statesPerSec / Math.max(1, full.statesPerSec) : NaN;
    const verdictRatio = row?.por.complete ? row.por.cpuMs / Math.max(1, r.ms) : NaN;
    // the same search taking every step of every state (no sleep sets): what the states cost before
    const every = row?.stateEvery;
    const everyRatio = every ? r.statesPerSec / Math.max(1, every.statesPerSec) : NaN;
    const agree = row ? r.errors > 0 === row.por.violations.includes('stale-pte') : false;
    spin[variant] = {
      ...r,
      explorerStateHashingStates: full?.states,
      explorerStateHashingStatesPerSec: full?.statesPerSec,
      spinOverExplorerStatesPerSec: +ratio.toFixed(1),
      explorerEveryStepStates: every?.states,
      explorerEveryStepStatesPerSec: every?.statesPerSec,
      spinOverExplorerEveryStepStatesPerSec: +everyRatio.toFixed(1),
      explorerPorCpuMs: row?.por.cpuMs,
      explorerPorOverSpinTime: +verdictRatio.toFixed(1),
      verdictsAgree: agree,
    };
    console.log(
      `${variant.padEnd(12)}  SPIN ${r.states} states ${r.ms} ms ${r.statesPerSec} states/s (${r.rateFrom}), ${r.errors ? `stale-pte (${r.errors} errors)` : 'no violation'}  |  explorer state hashing ${full ? `${full.states} states ${full.statesPerSec} states/cpu-s${full.complete ? '' : ' (cut)'}` : 'not run'}  |  states/s SPIN/explorer x${ratio.toFixed(1)} (goal: within x10; every step of every state x${everyRatio.toFixed(1)})  time to verdict explorer (POR, cpu) / SPIN x${verdictRatio.toFixed(1)}  verdicts ${agree ? 'agree' : 'DIFFER'}`,
    );
  }
} else console.log('\nSPIN anchor skipped: spin or gcc not on PATH (Debian: apt-get install spin)');
// --jobs 1 against --jobs 2 on the N = `--jobs-n` world (default 2): the same result apart from times,
// and the speed-up; the worker bundle is built here (out/exploreWorker.js)
const jobsN = arg('jobs-n', 2);
const workerScript = join(process.cwd(), 'out/exploreWorker.js');
const built = spawnSync(
  join(process.cwd(), 'node_modules/.bin/esbuild'),
  ['src/scenario/exploreWorker.ts', '--bundle', '--platform=node', '--format=cjs', '--log-level=error', `--outfile=${workerScript}`],
  { stdio: 'inherit' },
);
const jobs: Record<string, unknown> = {};
if (built.status === 0 && !checkpointsOnly) {
  console.log(`\n--jobs 1 against --jobs 2 (N = ${jobsN}; split into subtrees, the same split for both)`);
  const strip = (x: object) =>
    JSON.stringify(x, (k, v: unknown) => (['timeMs', 'firstViolationMs', 'foundAfterMs'].includes(k) ? undefined : v));
  for (const variant of ['2.5.70', 'truncate-seq']) {
    const w = faultersAndTruncate(jobsN);
    const make = () => createMachine(w, { fault: variant });
    const recipe = { world: w, selection: { fault: variant } };
    const c0 = cpuMs();
    const one = await exploreAsync(make, { jobs: 1, recipe, workerScript, shrink: false, timeLimitMs: arg('limit-ms', 60_000) });
    const cpu1 = cpuMs() - c0;
    const two = await exploreAsync(make, { jobs: 2, recipe, workerScript, shrink: false, timeLimitMs: arg('limit-ms', 60_000) });
    // CPU time of the process, worker threads included
    const cpu2 = cpuMs() - c0 - cpu1;
    const same = strip(one) === strip(two);
    jobs[variant] = {
      schedules: one.schedules,
      states: one.states,
      complete: one.complete && two.complete,
      jobs1Ms: +one.timeMs.toFixed(1),
      jobs2Ms: +two.timeMs.toFixed(1),
      jobs1CpuMs: +cpu1.toFixed(1),
      jobs2CpuMs: +cpu2.toFixed(1),
      speedup: +(one.timeMs / two.timeMs).toFixed(2),
      identical: same,
    };
    console.log(
      `${variant.padEnd(12)}  ${one.schedules} schedules ${one.states} states  jobs 1: ${one.timeMs.toFixed(0)} ms (cpu ${cpu1.toFixed(0)})  jobs 2: ${two.timeMs.toFixed(0)} ms (cpu ${cpu2.toFixed(0)})  speed-up x${(one.timeMs / two.timeMs).toFixed(2)} (wall)  ${same ? 'identical' : 'DIFFERENT'} results`,
    );
  }
}
// the goals in CPU time: wall time on a shared machine measures the other engineers too
const goal = (n: number, ms: number) => ladder.filter((r) => r.por.n === n).every((r) => r.por.complete && r.por.cpuMs < ms);
// what a backtrack costs: the parts a checkpoint of the machine would have to beat
console.log(
  '\nbacktrack cost (CPU): building a Machine, restoring a checkpoint of it, taking one, a replayed step, a step taken first (footprints, checks), a state hash',
);
const backtrack = [2, 3].flatMap((n) => ['2.5.70', 'truncate-seq'].map((v) => backtrackCost(n, v)));
for (const b of backtrack)
  console.log(
    `N=${b.n}  ${b.variant.padEnd(12)}  make ${b.makeUs} us  restore ${b.restoreUs} us  take ${b.takeUs} us  replayed step ${b.replayStepUs} us  first step ${b.freshStepUs} us  hash ${b.hashUs} us  (a run: ${b.runSteps} steps, rebuilt and replayed: ${(b.makeUs + b.runSteps * b.replayStepUs).toFixed(0)} us)`,
  );
// checkpoints against full replay: N = 2 complete, N = 3 cut at the same number of schedules
console.log('\ncheckpoints against rebuilding and replaying the whole prefix (the same search; CPU, median of 2 alternating runs each)');
const checkpoints = [
  ...['2.5.70', 'truncate-seq'].map((v) => checkpointRatio(2, v, undefined)),
  ...['2.5.70', 'truncate-seq'].map((v) => checkpointRatio(3, v, arg('n3-schedules', 20_000))),
];
for (const c of checkpoints)
  console.log(
    `N=${c.n}  ${c.variant.padEnd(12)}  ${c.schedules} schedules ${c.states} states ${c.complete ? 'complete' : '(cut)'}  full replay ${c.fullCpuMs} ms, ${c.stepsFull} steps  checkpoints ${c.checkpointedCpuMs} ms, ${c.stepsCheckpointed} steps  x${c.speedup}`,
  );
const loadAfter = load();
console.log(`load average ${loadBefore} before the ladder, ${loadAfter} at the end`);
console.log(
  JSON.stringify({
    load: { before: loadBefore, after: loadAfter, cores: cpus().length },
    ladder,
    spin,
    jobs,
    backtrack,
    checkpoints,
    goals: checkpointsOnly ? null : { n2Under2s: goal(2, 2000), n3Under20s: goal(3, 20_000) },
  }),
);
