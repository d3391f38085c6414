// What a state hash costs (Machine.stateHash, hashed at every choice point of a search), against the
// hash as it was before it was made allocation-free (stateHashBaseline.ts) and against one engine
// step, in the same run. States come from random schedules of every bundled scenario's columns and of
// the explorer ladder's worlds; both hashes must split each world's states into the same classes
// (checked here on every state met). They are timed on runs of consecutive states, as a search meets
// them: the ladder's world of bench/ladderPoint.ts (3 faulters + truncate) apart, and all worlds.
// node scripts/run-ts.mjs bench/stateHash.ts [--runs N] [--rounds N] [--only TEXT] [--per-world]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { createMachine, type EngineMachine } from '../src/engine/index';
import { loadScenario, machineFactory } from '../src/scenario/runner';

import { faultersAndTruncate } from './ladder';
import { cpuMs, median } from './measure';
import { hashKernelStateBaseline } from './stateHashBaseline';

const argv = process.argv.slice(2);
const arg = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
/** random runs per world whose states are checked */
const RUNS = arg('runs', 40);
/** timing rounds (old and new alternate) */
const ROUNDS = arg('rounds', 7);
/** states of one run per world kept for timing (at most) */
const KEPT_STEPS = arg('kept-steps', 60);
const LADDER = 'ladder 3 truncate-seq';

type Make = () => EngineMachine;
let worlds: { name: string; make: Make }[] = [];
const dir = join(process.cwd(), 'scenarios');
for (const f of readdirSync(dir).filter((x) => x.endsWith('.mmscenario.yaml'))) {
  const path = join(dir, f);
  const s = loadScenario(readFileSync(path, 'utf8'), path).scenario;
  if (!s) throw new Error(`${path}: does not load`);
  for (const c of s.columns) worlds.push({ name: `${f}:${c.label}`, make: machineFactory(s, c.selection) as Make });
}
for (const [n, v] of [
  [2, 'truncate-seq'],
  [3, 'truncate-seq'],
  [3, '2.5.70'],
  [3, '2.6.11'],
] as const)
  worlds.push({ name: `ladder ${n} ${v}`, make: () => createMachine(faultersAndTruncate(n), { fault: v }) });
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : null;
if (only !== null) worlds = worlds.filter((w) => w.name.includes(only) || w.name === LADDER);

// random schedules (a fixed seed): every state met is hashed both ways
let seed = 12345;
const rand = (k: number): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return (seed >>> 8) % k;
};
const oldToNew = new Map<string, string>();
const newToOld = new Map<string, string>();
let hashed = 0;
let split = 0;
let merged = 0;
let distinct = 0;
/** per world, the states of its first run in order (each a machine replayed to that point) */
const runs: { world: string; states: EngineMachine[] }[] = [];
for (const w of worlds) {
  // the states of one world are compared (a search never meets another's)
  oldToNew.clear();
  newToOld.clear();
  for (let r = 0; r < RUNS; r++) {
    const m = w.make();
    const stopAt = 1 + rand(200);
    const schedule: number[] = [];
    for (let i = 0; ; i++) {
      const o = hashKernelStateBaseline(m.kernel, m.tasks);
      const n = m.stateHash();
      hashed++;
      const n0 = oldToNew.get(o);
      if (n0 === undefined) oldToNew.set(o, n);
      else if (n0 !== n) split++;
      const o0 = newToOld.get(n);
      if (o0 === undefined) newToOld.set(n, o);
      else if (o0 !== o) merged++;
      const runnable = m.runnable();
      if (runnable.length === 0 || i === stopAt) break;
      const t = runnable[rand(runnable.length)];
      m.step(t);
      schedule.push(t);
    }
    if (r === 0) {
      const states: EngineMachine[] = [];
      for (let i = 0; i <= Math.min(schedule.length, KEPT_STEPS); i++) {
        const s = w.make();
        s.replay(schedule.slice(0, i));
        states.push(s);
      }
      runs.push({ world: w.name, states });
    }
  }
  distinct += oldToNew.size;
}
if (split + merged > 0) throw new Error(`the hashes disagree: ${split} states split, ${merged} merged (of ${hashed})`);

function cpuUs(f: () => void): number {
  const c0 = cpuMs();
  f();
  return (cpuMs() - c0) * 1000;
}
let sink = 0;
const hashOld = (m: EngineMachine) => (sink += hashKernelStateBaseline(m.kernel, m.tasks).length);
const hashNew = (m: EngineMachine) => (sink += m.stateHash().length);

/** us per hash over the runs' states in order, old and new alternately (median of the rounds) */
function timeBoth(group: { states: EngineMachine[] }[], reps: number): { oldUs: number; newUs: number } {
  let n = 0;
  for (const r of group) n += r.states.length;
  const pass = (f: (m: EngineMachine) => void) =>
    cpuUs(() => {
      for (let i = 0; i < reps; i++) for (const r of group) for (const m of r.states) f(m);
    }) /
    (reps * n);
  const oldUs: number[] = [];
  const newUs: number[] = [];
  pass(hashOld);
  pass(hashNew);
  for (let round = 0; round < ROUNDS; round++) {
    // alternate which goes first: neither meets a warmer machine
    if (round & 1) {
      newUs.push(pass(hashNew));
      oldUs.push(pass(hashOld));
    } else {
      oldUs.push(pass(hashOld));
      newUs.push(pass(hashNew));
    }
  }
  return { oldUs: median(oldUs), newUs: median(newUs) };
}

const ladderRun = runs.filter((r) => r.world === LADDER);
const ladder = timeBoth(ladderRun, 200);
const all = timeBoth(runs, 10);

// one engine step as the search first takes it (footprints and step checks), on the ladder's world
const makeLadder = () => createMachine(faultersAndTruncate(3), { fault: 'truncate-seq' });
const schedule: number[] = [];
{
  const m = makeLadder();
  for (let r = m.runnable(); r.length > 0; r = m.runnable()) {
    schedule.push(r[0]);
    m.step(r[0]);
  }
}
const REPS = 300;
const buildAndRun = (withSteps: boolean) =>
  cpuUs(() => {
    for (let i = 0; i < REPS; i++) {
      const m = makeLadder();
      if (withSteps) for (const t of schedule) m.step(t);
    }
  });
buildAndRun(true);
const stepSamples: number[] = [];
for (let i = 0; i < 5; i++) stepSamples.push((buildAndRun(true) - buildAndRun(false)) / (REPS * schedule.length));
const stepUs = median(stepSamples);

if (argv.includes('--per-world')) {
  for (const r of runs) {
    const t = timeBoth([r], 20);
    console.log(
      `${t.oldUs.toFixed(2).padStart(8)} ${t.newUs.toFixed(2).padStart(8)} ${(t.newUs / t.oldUs).toFixed(2).padStart(6)}  ${r.world}`,
    );
  }
}

const r3 = (x: number) => +x.toFixed(3);
const row = {
  worlds: worlds.length,
  statesHashed: hashed,
  distinctStates: distinct,
  ladderOldUs: r3(ladder.oldUs),
  ladderNewUs: r3(ladder.newUs),
  /** the new hash's cost as a fraction of the old one's on the ladder's states (lower is better) */
  ladderNewOverOld: r3(ladder.newUs / ladder.oldUs),
  allOldUs: r3(all.oldUs),
  allNewUs: r3(all.newUs),
  allNewOverOld: r3(all.newUs / all.oldUs),
  stepUs: r3(stepUs),
  /** one hash of a ladder state against one engine step of that world */
  ladderNewOverStep: r3(ladder.newUs / stepUs),
  ladderOldOverStep: r3(ladder.oldUs / stepUs),
};
console.log(
  `state hash, ladder world: ${row.ladderNewUs} us (was ${row.ladderOldUs} us: ${row.ladderNewOverOld}x), ` +
    `${row.ladderNewOverStep} engine steps (was ${row.ladderOldOverStep}); all worlds: ${row.allNewUs} us (was ${row.allOldUs} us: ` +
    `${row.allNewOverOld}x); ${hashed} states hashed, ${distinct} distinct, the same classes both ways${sink > 0 ? '' : '?'}`,
);
console.log(JSON.stringify(row));
