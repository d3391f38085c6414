// The explorer ladder's worlds: one file of N pages, N threads each faulting its own page of a shared
// mapping in its own mm, and one task truncating the file to 0 (issue 13's measure).
import type { WorldSpec } from '../src/engine/index';
import { createMachine } from '../src/engine/index';
import { explore, type ExploreResult, type Reduction } from '../src/scenario/explorer';

import { cpuMs } from './measure';

export function faultersAndTruncate(n: number): WorldSpec {
  const tasks: WorldSpec['tasks'] = [];
  for (let i = 0; i < n; i++) {
    tasks.push({
      name: `fault${i}`,
      mm: `mm${i}`,
      ops: [
        { op: 'mmap', addr: 0x10000, pages: n, prot: 'rw-', shared: true, file: 'data' },
        { op: 'read', addr: 0x10000 + i * 0x1000 },
      ],
    });
  }
  tasks.push({ name: 'trunc', ops: [{ op: 'truncate', file: 'data', pages: 0 }] });
  return { files: [{ name: 'data', pages: n }], mms: Array.from({ length: n }, (_, i) => ({ name: `mm${i}` })), tasks };
}

export interface LadderRow {
  n: number;
  variant: string;
  reduction: Reduction;
  states: number;
  schedules: number;
  /** machine steps executed, replays included */
  steps: number;
  /** wall time (noisy on a shared machine) */
  ms: number;
  /** CPU time of the process over the search (what the search cost, whatever else runs) */
  cpuMs: number;
  /** distinct states per second of CPU time */
  statesPerSec: number;
  /** the same per second of wall time */
  statesPerWallSec: number;
  complete: boolean;
  violations: string[];
}

/** run one search, measuring its CPU time too */
export function measured(n: number, variant: string, search: () => ExploreResult): LadderRow {
  const c0 = cpuMs();
  const r = search();
  const cpu = cpuMs() - c0;
  return {
    n,
    variant,
    reduction: r.reduction,
    states: r.states,
    schedules: r.schedules,
    steps: r.steps,
    ms: +r.timeMs.toFixed(1),
    cpuMs: +cpu.toFixed(1),
    statesPerSec: Math.round(r.states / (Math.max(cpu, 1) / 1000)),
    statesPerWallSec: Math.round(r.states / (r.timeMs / 1000)),
    complete: r.complete,
    violations: r.violations.map((v) => v.invariant),
  };
}

/**
 * The ladder: N = 1..maxN faulters + truncate under each variant, with partial-order reduction (cut at
 * `limitMs`), and the unreduced search and the state-hashing search as baselines in the same run (cut
 * at `baselineMs`: where they do not finish, their schedule counts are lower bounds).
 */
export function runLadder(opts: { maxN: number; variants: string[]; limitMs: number; baselineMs: number; log: (s: string) => void }) {
  const rows: {
    por: LadderRow;
    stateless: LadderRow;
    none: LadderRow;
    state: LadderRow;
    /** the state search taking every step (no sleep sets), for N <= 2 */
    stateEvery: LadderRow | null;
    reductionFactor: string;
    stateCacheSpeedup: string;
  }[] = [];
  for (let n = 1; n <= opts.maxN; n++) {
    for (const variant of opts.variants) {
      const w = faultersAndTruncate(n);
      const make = () => createMachine(w, { fault: variant });
      const por = measured(n, variant, () => explore(make, { reduction: 'dpor', shrink: false, timeLimitMs: opts.limitMs }));
      // the same reduction without the state cache (each revisit explored again), same limit
      const stateless = measured(n, variant, () =>
        explore(make, { reduction: 'dpor', stateCache: false, shrink: false, timeLimitMs: opts.limitMs }),
      );
      const none = measured(n, variant, () => explore(make, { reduction: 'none', shrink: false, timeLimitMs: opts.baselineMs }));
      const state = measured(n, variant, () => explore(make, { reduction: 'state', shrink: false, timeLimitMs: opts.baselineMs }));
      const stateEvery =
        n <= 2
          ? measured(n, variant, () => explore(make, { reduction: 'state', sleepSets: false, shrink: false, timeLimitMs: opts.baselineMs }))
          : null;
      // where the unreduced search finishes: its schedules per schedule of the reduced one; where it is
      // cut: the time it ran without finishing over the reduced search's time (a lower bound)
      const reductionFactor = !por.complete
        ? 'n/a'
        : none.complete
          ? (none.schedules / Math.max(1, por.schedules)).toFixed(1)
          : none.ms > por.ms
            ? `>${(none.ms / por.ms).toFixed(1)} (time)`
            : 'n/a (baseline cut first)';
      // CPU of the stateless search over the state-cached one (a lower bound where it was cut)
      const stateCacheSpeedup = !por.complete
        ? 'n/a'
        : stateless.complete
          ? (stateless.cpuMs / Math.max(1, por.cpuMs)).toFixed(2)
          : `>${(stateless.cpuMs / Math.max(1, por.cpuMs)).toFixed(1)} (cut)`;
      rows.push({ por, stateless, none, state, stateEvery, reductionFactor, stateCacheSpeedup });
      opts.log(
        [
          `N=${n}`,
          variant.padEnd(12),
          `states ${por.states}`.padEnd(15),
          `schedules ${por.schedules}`.padEnd(17),
          `${por.ms.toFixed(0)} ms`.padEnd(10),
          `cpu ${por.cpuMs.toFixed(0)} ms`.padEnd(14),
          `${por.statesPerSec} states/cpu-s`.padEnd(21),
          por.complete ? 'complete' : 'CUT     ',
          `reduction x${reductionFactor}`.padEnd(16),
          `| stateless: ${stateless.schedules} sched ${stateless.cpuMs.toFixed(0)} cpu-ms ${stateless.complete ? 'complete' : 'cut'}, state cache x${stateCacheSpeedup}`,
          `| none: ${none.schedules} sched ${none.complete ? 'complete' : 'cut'}`,
          `| state hashing: ${state.states} states ${state.schedules} sched ${state.cpuMs.toFixed(0)} cpu-ms ${state.complete ? 'complete' : 'cut'}`,
          stateEvery
            ? `(every step: ${stateEvery.states} states ${stateEvery.schedules} sched ${stateEvery.cpuMs.toFixed(0)} cpu-ms ${stateEvery.complete ? 'complete' : 'cut'})`
            : '',
          por.violations.join(','),
        ].join('  '),
      );
    }
  }
  return rows;
}
