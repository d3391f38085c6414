// mmx run-patch end to end on seed 004 (the web-archive copy of the install_new_page thread) against
// the nearest tree (2.6.0's mm/memory.c excerpt): read and analyse the thread, apply the hunks at
// function level, compile base/-mm2/-mm3, explore the three columns on dfs-race. Baseline in the
// same run: `compare` of dfs-race with the hand-written columns (2.5.70, install_new_page,
// install_new_page-hch). Goal: run-patch under 2 s. Times are CPU time of this process (user +
// system: the machine is shared, wall time says more about the neighbours than about the code), wall
// time beside them; and the CLI end to end in a fresh process (node start, bundle, parser, run) as a
// user runs it, from its own rusage. Prints a table, then one JSON line.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { runPatch } from '../src/cli/patchRun';
import { loadCParser } from '../src/patch/cParser';
import { loadScenarioFile } from '../src/scenario/library';
import { compareScenario } from '../src/scenario/runner';

import { cpuMs } from './measure';

const root = process.cwd();
const seed = readFileSync(join(root, 'samples/install_new_page-thread.txt'));
const treeDir = join(root, 'test/fixtures/linux-2.6.0');
const scenario = loadScenarioFile(join(root, 'scenarios/dfs-race.mmscenario.yaml')).scenario!;
const tree = {
  name: 'linux-2.6.0',
  version: '2.6.0',
  read: (p: string) => (existsSync(join(treeDir, p)) ? readFileSync(join(treeDir, p), 'utf8') : undefined),
};
const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const t0 = performance.now();
const parser = await loadCParser();
const parserMs = performance.now() - t0;

const cpu = cpuMs;

function once(): { total: number; wall: number; phases: Record<string, number>; compare: number; compareWall: number } {
  const phases: Record<string, number> = {};
  const s = performance.now();
  const sc = cpu();
  const r = runPatch(seed, 'seed004', { parser, tree, scenarios: [scenario], timings: phases });
  const total = cpu() - sc;
  const wall = performance.now() - s;
  const stale = r.scenarios[0].comparison.invariants.find((x) => x.invariant === 'stale-pte')?.explored;
  if (JSON.stringify(stale) !== JSON.stringify(['violated', 'held', 'held']))
    throw new Error(`unexpected verdicts ${JSON.stringify(stale)}`);
  const c = performance.now();
  const cc = cpu();
  compareScenario(scenario, { columns: ['2.5.70', 'install_new_page', 'install_new_page-hch'] });
  return { total, wall, phases, compare: cpu() - cc, compareWall: performance.now() - c };
}

/** `mmx run-patch` in a fresh process, as a user runs it: its CPU time from bash's `time` (the child's rusage) */
function cli(): { cpu: number; wall: number } | undefined {
  const mmx = join(root, 'dist/mmx.js');
  if (!existsSync(mmx)) return undefined;
  const args = [
    mmx,
    'run-patch',
    join(root, 'samples/install_new_page-thread.txt'),
    '--tree',
    treeDir,
    join(root, 'scenarios/dfs-race.mmscenario.yaml'),
    '--json',
  ];
  const r = spawnSync('bash', ['-c', `TIMEFORMAT='%R %U %S'; time "$0" "$@" > /dev/null`, process.execPath, ...args], { encoding: 'utf8' });
  const m = /([\d.]+) ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  if (!m) return undefined;
  return { wall: +m[1] * 1000, cpu: (+m[2] + +m[3]) * 1000 };
}

const first = once();
const runs = [first, once(), once(), once(), once()];
const total = median(runs.map((r) => r.total));
const wall = median(runs.map((r) => r.wall));
const compare = median(runs.map((r) => r.compare));
const compareWall = median(runs.map((r) => r.compareWall));
const phase = (k: string): number => median(runs.map((r) => r.phases[k] ?? 0));
const e2e = cli();
const ok = (ms: number): string => (ms < 2000 ? 'ok (goal < 2 s)' : 'OVER (goal < 2 s)');
const rows = [
  ['', 'CPU', 'wall', ''],
  ['run-patch seed 004 on dfs-race (3 columns), in process', `${total.toFixed(0)} ms`, `${wall.toFixed(0)} ms`, ok(total)],
  ['  first run (cold JIT)', `${first.total.toFixed(0)} ms`, `${first.wall.toFixed(0)} ms`, `+ parser load ${parserMs.toFixed(0)} ms wall`],
  [
    '  analyse / apply / compile / explore (wall)',
    '',
    ['analyse', 'apply', 'compile', 'run'].map((k) => `${phase(k).toFixed(0)}`).join(' / ') + ' ms',
    '',
  ],
  ...(e2e
    ? [['mmx run-patch ... --json, fresh process', `${e2e.cpu.toFixed(0)} ms`, `${e2e.wall.toFixed(0)} ms`, ok(e2e.cpu)]]
    : [['mmx run-patch (no dist/mmx.js: npm run build)', '', '', '']]),
  ['compare dfs-race, hand-written columns', `${compare.toFixed(0)} ms`, `${compareWall.toFixed(0)} ms`, ''],
  ['ratio run-patch / compare', `${(total / compare).toFixed(2)}x`, `${(wall / compare).toFixed(2)}x`, ''],
];
const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) console.log(r.map((c, i) => (i < 3 ? c.padEnd(w[i]) : c)).join('  '));
console.log(
  JSON.stringify({
    runPatchCpuMs: +total.toFixed(1),
    runPatchWallMs: +wall.toFixed(1),
    firstCpuMs: +first.total.toFixed(1),
    parserLoadMs: +parserMs.toFixed(1),
    cliCpuMs: e2e ? +e2e.cpu.toFixed(1) : null,
    cliWallMs: e2e ? +e2e.wall.toFixed(1) : null,
    compareCpuMs: +compare.toFixed(1),
    ratio: +(total / compare).toFixed(3),
    phases: Object.fromEntries(['analyse', 'apply', 'compile', 'table', 'run'].map((k) => [k, +phase(k).toFixed(1)])),
  }),
);
