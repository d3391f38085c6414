// What a state hash costs (Machine.stateHash, hashed at every choice point of a search), against the
// hash as it was before it was made allocation-free (stateHashBaseline.ts) and against one engine
// step, in the same run. States come from random schedules of every bundled scenario's columns and of
// the explorer ladder's worlds; both hashes must split them into the same classes (checked here too).
// node scripts/run-ts.mjs bench/stateHash.ts [--runs N] [--rounds N]
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
const RUNS = arg('runs', 40);
const ROUNDS = arg('rounds', 9);

type Make = () => EngineMachine;
const worlds: { name: string; make: Make }[] = [];
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

// --only TEXT: the worlds whose name has it
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : null;
if (only !== null) worlds.splice(0, worlds.length, ...worlds.filter((w) => w.name.includes(only)));
// random schedules (a fixed seed): every state met is hashed both ways; one state per run is kept
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
const kept: EngineMachine[] = [];
const keptWorld: string[] = [];
let steps = 0;
let distinct = 0;
for (const w of worlds) {
  // states of one world are compared (a search never meets another's)
  distinct += oldToNew.size;
  oldToNew.clear();
  newToOld.clear();
  for (let r = 0; r < RUNS; r++) {
    const m = w.make();
    const stopAt = 1 + rand(200);
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
      m.step(runnable[rand(runnable.length)]);
      steps++;
    }
    kept.push(m);
    keptWorld.push(w.name);
  }
}
distinct += oldToNew.size;
if (split + merged > 0) throw new Error(`the hashes disagree: ${split} states split, ${merged} merged (of ${hashed})`);

function cpuUs(f: () => void): number {
  const c0 = cpuMs();
  f();
  return (cpuMs() - c0) * 1000;
}
let sink = 0;
const oldUs: number[] = [];
const newUs: number[] = [];
const REPS = 20;
for (let round = 0; round < ROUNDS; round++) {
  // alternate which goes first: neither gets a warmer machine
  const timeOld = () =>
    oldUs.push(
      cpuUs(() => {
        for (let i = 0; i < REPS; i++) for (const m of kept) sink += hashKernelStateBaseline(m.kernel, m.tasks).length;
      }) /
        (REPS * kept.length),
    );
  const timeNew = () =>
    newUs.push(
      cpuUs(() => {
        for (let i = 0; i < REPS; i++) for (const m of kept) sink += m.stateHash().length;
      }) /
        (REPS * kept.length),
    );
  if (round & 1) {
    timeNew();
    timeOld();
  } else {
    timeOld();
    timeNew();
  }
}
// one engine step as the search first takes it (footprints and step checks), on the ladder's world
const ladder = () => createMachine(faultersAndTruncate(3), { fault: 'truncate-seq' });
let stepUs = 0;
{
  const schedule: number[] = [];
  const m0 = ladder();
  for (let r = m0.runnable(); r.length > 0; r = m0.runnable()) {
    schedule.push(r[0]);
    m0.step(r[0]);
  }
  const reps = 300;
  const timed = (withSteps: boolean) =>
    cpuUs(() => {
      for (let i = 0; i < reps; i++) {
        const m = ladder();
        if (withSteps) for (const t of schedule) m.step(t);
      }
    });
  timed(true);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) samples.push((timed(true) - timed(false)) / (reps * schedule.length));
  stepUs = median(samples);
}
if (argv.includes('--per-world')) {
  // per world: the mean of both hashes over its kept states, in us
  const per = new Map<string, [number, number]>();
  for (let i = 0; i < kept.length; i++) {
    const m = kept[i];
    const o = cpuUs(() => {
      for (let j = 0; j < 50; j++) sink += hashKernelStateBaseline(m.kernel, m.tasks).length;
    });
    const n = cpuUs(() => {
      for (let j = 0; j < 50; j++) sink += m.stateHash().length;
    });
    const e = per.get(keptWorld[i]) ?? [0, 0];
    e[0] += o / 50 / RUNS;
    e[1] += n / 50 / RUNS;
    per.set(keptWorld[i], e);
  }
  for (const [w, [o, n]] of [...per].sort((a, b) => b[1][0] - a[1][0]))
    console.log(`${o.toFixed(2).padStart(8)} ${n.toFixed(2).padStart(8)} ${(n / o).toFixed(2).padStart(6)}  ${w}`);
}
const oldMed = median(oldUs);
const newMed = median(newUs);
const row = {
  worlds: worlds.length,
  statesHashed: hashed,
  distinctStates: distinct,
  steps,
  kept: kept.length,
  oldHashUs: +oldMed.toFixed(3),
  newHashUs: +newMed.toFixed(3),
  /** the new hash's cost as a fraction of the old one's (lower is better) */
  newOverOld: +(newMed / oldMed).toFixed(3),
  stepUs: +stepUs.toFixed(3),
  /** one hash against one engine step of the ladder's world */
  newHashOverStep: +(newMed / stepUs).toFixed(3),
  oldHashOverStep: +(oldMed / stepUs).toFixed(3),
};
console.log(
  `state hash: ${row.newHashUs} us (was ${row.oldHashUs} us: ${row.newOverOld}x), one engine step ${row.stepUs} us; ` +
    `${hashed} states hashed, ${row.distinctStates} distinct, the same classes both ways (${sink > 0 ? 'ok' : '?'})`,
);
console.log(JSON.stringify(row));
