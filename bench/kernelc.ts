// Kernel C on the engine: what interpreting the fault path costs, as ratios against the TypeScript
// kernel functions measured in the same run.
//   1. one-time parse + compile of 2.6.11 handle_pte_fault, do_no_page, do_anonymous_page (goal < 50 ms)
//   2. cost per fault, interpreted / TypeScript (goal <= 10x): anonymous write faults and file read faults
//   3. exploration of dfs-race, truncate-race, anon-fault, interpreted column / truncate-seq (goal <= 2x)
// Prints a table, then one JSON line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { createMachine } from '../src/engine/index';
import type { WorldSpec } from '../src/engine/sim/spec';
import { linux2611 } from '../src/kernelc/eras/linux-2.6.11';
import { compileWith, registerKernelCVariant } from '../src/kernelc/index';
import { loadCParser } from '../src/patch/cParser';
import { explore } from '../src/scenario/explorer';
import { exploreOptions, loadScenario, machineFactory } from '../src/scenario/runner';

import { median } from './measure';

const root = process.cwd();
const memoryC = { file: 'mm/memory.c', text: readFileSync(join(root, 'test/fixtures/linux-2.6.11/mm/memory.c'), 'utf8') };
const FNS = ['handle_pte_fault', 'do_no_page', 'do_anonymous_page'];
const rows: string[][] = [];
const json: Record<string, unknown> = {};

// ---- 1. parse + compile ----
const parser = await loadCParser();
const t0 = performance.now();
const program = compileWith(parser, linux2611, [memoryC], FNS);
const coldMs = performance.now() - t0;
for (let i = 0; i < 10; i++) compileWith(parser, linux2611, [memoryC], FNS);
const warm: number[] = [];
for (let i = 0; i < 25; i++) {
  const s = performance.now();
  compileWith(parser, linux2611, [memoryC], FNS);
  warm.push(performance.now() - s);
}
const compileMs = median(warm);
rows.push([
  'parse + compile of the fault path',
  `${compileMs.toFixed(1)} ms (first in a fresh process, JIT and wasm tier-up included: ${coldMs.toFixed(1)} ms)`,
  'goal < 50 ms',
  compileMs < 50 ? 'ok' : 'OVER',
]);
json.compileMs = +compileMs.toFixed(2);
json.compileFirstMs = +coldMs.toFixed(2);

registerKernelCVariant({ name: 'c-2.6.11', base: 'truncate-seq', description: 'Linux 2.6.11 fault path, interpreted', program });

// ---- 2. cost per fault ----
const PAGES = 2000;
const anon: WorldSpec = {
  mms: [{ name: 'p' }],
  tasks: [
    {
      name: 't',
      mm: 'p',
      ops: [
        { op: 'mmap', addr: 0x10000000, pages: PAGES, prot: 'rw-' },
        { op: 'touch', addr: 0x10000000, pages: PAGES, write: true },
      ],
    },
  ],
};
const file: WorldSpec = {
  files: [{ name: 'f', pages: PAGES }],
  mms: [{ name: 'p' }],
  tasks: [
    {
      name: 't',
      mm: 'p',
      ops: [
        { op: 'mmap', addr: 0x10000000, pages: PAGES, prot: 'r--', shared: true, file: 'f' },
        { op: 'touch', addr: 0x10000000, pages: PAGES },
      ],
    },
  ],
};
function perFault(world: WorldSpec, fault: string): number {
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const m = createMachine(world, { fault }, { check: 'end' });
    const s = performance.now();
    m.runAll();
    times.push((performance.now() - s) / PAGES);
    if (m.violations.length) throw new Error(`${fault}: ${m.violations[0].message}`);
  }
  return median(times) * 1000;
}
for (const [label, w] of [
  ['anonymous write fault', anon],
  ['file read fault', file],
] as const) {
  // interleaved so both see the same machine load
  const ts: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < 3; i++) {
    ts.push(perFault(w, 'truncate-seq'));
    c.push(perFault(w, 'c-2.6.11'));
  }
  const a = median(ts);
  const b = median(c);
  rows.push([
    `cost per ${label}`,
    `${b.toFixed(2)} us interpreted / ${a.toFixed(2)} us TypeScript = ${(b / a).toFixed(2)}x`,
    'goal <= 10x',
    b / a <= 10 ? 'ok' : 'OVER',
  ]);
  json[label === 'file read fault' ? 'fileFault' : 'anonFault'] = {
    interpretedUs: +b.toFixed(3),
    typescriptUs: +a.toFixed(3),
    ratio: +(b / a).toFixed(2),
  };
}

// ---- 3. exploration of the three races ----
const explores: Record<string, unknown> = {};
for (const name of ['dfs-race', 'truncate-race', 'anon-fault']) {
  const path = join(root, 'scenarios', `${name}.mmscenario.yaml`);
  const s = loadScenario(readFileSync(path, 'utf8'), path).scenario!;
  const run = (fault: string) => {
    const x = explore(machineFactory(s, { fault }), exploreOptions(s));
    return { ms: x.timeMs, states: x.states, schedules: x.schedules, verdict: x.violations.map((v) => v.invariant).join(',') || 'none' };
  };
  run('truncate-seq');
  run('c-2.6.11');
  const ts: number[] = [];
  const c: number[] = [];
  let rt = run('truncate-seq');
  let rc = run('c-2.6.11');
  for (let i = 0; i < 3; i++) {
    rt = run('truncate-seq');
    rc = run('c-2.6.11');
    ts.push(rt.ms);
    c.push(rc.ms);
  }
  const a = median(ts);
  const b = median(c);
  rows.push([
    `explore ${name}`,
    `${b.toFixed(0)} ms interpreted (${rc.states} states, ${rc.verdict}) / ${a.toFixed(0)} ms TypeScript (${rt.states} states, ${rt.verdict}) = ${(b / a).toFixed(2)}x`,
    'goal <= 2x',
    b / a <= 2 ? 'ok' : 'OVER',
  ]);
  explores[name] = {
    interpretedMs: +b.toFixed(1),
    typescriptMs: +a.toFixed(1),
    ratio: +(b / a).toFixed(2),
    states: [rc.states, rt.states],
    verdicts: [rc.verdict, rt.verdict],
  };
}
json.explore = explores;

const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) console.log(r.map((c, i) => c.padEnd(w[i])).join('  '));
console.log(JSON.stringify(json));
