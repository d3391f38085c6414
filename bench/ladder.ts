// The explorer ladder's worlds: one file of N pages, N threads each faulting its own page of a shared
// mapping in its own mm, and one task truncating the file to 0 (issue 13's measure).
import type { WorldSpec } from '../src/engine/index';
import { createMachine } from '../src/engine/index';
import { explore, type ExploreResult, type Reduction } from '../src/scenario/explorer';

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
  ms: number;
  statesPerSec: number;
  complete: boolean;
  violations: string[];
}

function row(n: number, variant: string, r: ExploreResult): LadderRow {
  return {
    n,
    variant,
    reduction: r.reduction,
    states: r.states,
    schedules: r.schedules,
    ms: +r.timeMs.toFixed(1),
    statesPerSec: Math.round(r.states / (r.timeMs / 1000)),
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
  const rows: { por: LadderRow; none: LadderRow; state: LadderRow; reductionFactor: string }[] = [];
  for (let n = 1; n <= opts.maxN; n++) {
    for (const variant of opts.variants) {
      const w = faultersAndTruncate(n);
      const make = () => createMachine(w, { fault: variant });
      const por = row(n, variant, explore(make, { reduction: 'dpor', shrink: false, timeLimitMs: opts.limitMs }));
      const none = row(n, variant, explore(make, { reduction: 'none', shrink: false, timeLimitMs: opts.baselineMs }));
      const state = row(n, variant, explore(make, { reduction: 'state', shrink: false, timeLimitMs: opts.baselineMs }));
      // where the unreduced search finishes: its schedules per schedule of the reduced one; where it is
      // cut: the time it ran without finishing over the reduced search's time (a lower bound)
      const reductionFactor = !por.complete
        ? 'n/a'
        : none.complete
          ? (none.schedules / Math.max(1, por.schedules)).toFixed(1)
          : none.ms > por.ms
            ? `>${(none.ms / por.ms).toFixed(1)} (time)`
            : 'n/a (baseline cut first)';
      rows.push({ por, none, state, reductionFactor });
      opts.log(
        [
          `N=${n}`,
          variant.padEnd(12),
          `states ${por.states}`.padEnd(15),
          `schedules ${por.schedules}`.padEnd(17),
          `${por.ms.toFixed(0)} ms`.padEnd(10),
          `${por.statesPerSec} states/s`.padEnd(17),
          por.complete ? 'complete' : 'CUT     ',
          `reduction x${reductionFactor}`.padEnd(16),
          `| none: ${none.schedules} sched ${none.complete ? 'complete' : 'cut'}`,
          `| state hashing: ${state.states} states ${state.ms.toFixed(0)} ms ${state.complete ? 'complete' : 'cut'}`,
          por.violations.join(','),
        ].join('  '),
      );
    }
  }
  return rows;
}
