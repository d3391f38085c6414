// Comparisons shaped like the scenario library's, built in code so tests can size them (10k events)
// and poison every text field (XSS corpus). The shape is the contract of src/scenario/comparisonModel.ts.
import type { TraceEvent, TraceKind } from '../../src/engine/index';
import type { Comparison, ExpectationOutcome, VariantRun } from '../../src/scenario/comparisonModel';
import type { Exploration } from '../../src/scenario/explorationModel';

const FAULT_PATH: [TraceKind, string, string, string[]][] = [
  ['enter', 'handle_mm_fault', 'addr=0x10000 write', ['mmap_sem(r)']],
  ['lock', 'handle_mm_fault', 'spin_lock(page_table_lock)', ['mmap_sem(r)', 'page_table_lock']],
  ['enter', 'do_no_page', 'pte none', ['mmap_sem(r)', 'page_table_lock']],
  ['unlock', 'do_no_page', 'spin_unlock(page_table_lock)', ['mmap_sem(r)']],
  ['sleep', 'dfs_nopage', 'read page 0 from node B', ['mmap_sem(r)']],
  ['lock', 'do_no_page', 'spin_lock(page_table_lock)', ['mmap_sem(r)', 'page_table_lock']],
  ['pte', 'do_no_page', 'set_pte 0x10000 -> pfn 7 rw-', ['mmap_sem(r)', 'page_table_lock']],
  ['unlock', 'do_no_page', 'spin_unlock(page_table_lock)', ['mmap_sem(r)']],
  ['fault', 'handle_mm_fault', 'VM_FAULT_MAJOR', []],
];
const INVALIDATE: [TraceKind, string, string, string[]][] = [
  ['enter', 'invalidate_mmap_range', 'file f page 0', []],
  ['lock', 'zap_page_range', 'spin_lock(page_table_lock)', ['page_table_lock']],
  ['note', 'zap_page_range', 'no pte to zap', ['page_table_lock']],
  ['unlock', 'zap_page_range', 'spin_unlock(page_table_lock)', []],
];

export interface FixtureOptions {
  runs?: number;
  /** total events per run (repeats the fault path) */
  events?: number;
  /** replaces every text the page shows */
  poison?: string;
}

function trace(run: number, events: number, poison?: string): TraceEvent[] {
  const out: TraceEvent[] = [];
  let step = 0;
  let seq = 0;
  const p = (s: string) => (poison === undefined ? s : `${poison}${s}`);
  while (out.length < events) {
    // the invalidating task runs in the window of the fault path in run 0 only: the runs diverge there
    const order =
      run === 0
        ? [
            ...FAULT_PATH.slice(0, 5).map((e) => [0, e] as const),
            ...INVALIDATE.map((e) => [1, e] as const),
            ...FAULT_PATH.slice(5).map((e) => [0, e] as const),
          ]
        : [...INVALIDATE.map((e) => [1, e] as const), ...FAULT_PATH.map((e) => [0, e] as const)];
    for (const [task, [kind, fn, detail, locks]] of order) {
      if (out.length >= events) break;
      out.push({ seq: seq++, step, task, kind, fn: p(fn), detail: p(detail), locks: locks.map(p) });
      if (kind === 'lock' || kind === 'unlock' || kind === 'sleep' || kind === 'pte') step++;
    }
    step++;
  }
  return out;
}

export function makeComparison(o: FixtureOptions = {}): Comparison {
  const nRuns = o.runs ?? 2;
  const events = o.events ?? 13;
  const poison = o.poison;
  const p = (s: string) => (poison === undefined ? s : `${poison}${s}`);
  const labels = ['2.5.70', 'install_new_page', 'install_new_page-hch', 'truncate-seq'];
  const runs: VariantRun[] = [];
  for (let r = 0; r < nRuns; r++) {
    const t = trace(r, events, poison);
    const stale = r === 0;
    runs.push({
      label: p(labels[r % labels.length]),
      variants: { fault: p(labels[r % labels.length]) },
      schedule: t.map((e) => e.task),
      trace: t,
      violations: stale
        ? [
            {
              invariant: p('stale-pte'),
              message: p('pte 0x10000 maps page 0 of f at version 1, file is at version 2'),
              task: p('fault'),
              step: 6,
              fn: p('do_no_page'),
              locksHeld: [p('page_table_lock')],
            },
          ]
        : [],
      results: [
        { task: p('fault'), index: 0, op: p('write'), result: p('VM_FAULT_MAJOR') },
        ...(r === 1 ? [{ task: p('fault'), index: 1, op: p('read'), result: p('SIGBUS'), signal: 'SIGBUS' as const }] : []),
      ],
      snapshot: {
        mms: [
          {
            name: p('A'),
            rss: 1,
            mapCount: 1,
            vmas: [
              {
                start: 0x10000,
                end: 0x14000,
                flags: ['VM_READ', 'VM_WRITE', 'VM_SHARED'],
                prot: 'rw-',
                pgoff: 0,
                file: p('f'),
                ops: ['nopage'],
              },
            ],
            ptes: [{ addr: 0x10000, pgd: 0, pmd: 0, pte: 16, kind: 'present', pfn: 7, prot: 'rw-', dirty: true, young: true }],
          },
        ],
        pages: [{ pfn: 7, count: 2, mapcount: 1, pins: 0, flags: ['uptodate', 'lru'], file: p('f'), index: 0, version: 1 }],
        files: [{ name: p('f'), size: 4, cached: [0], versions: [2, 1, 1, 1] }],
      },
      lockOps: { [p('do_no_page')]: { [p('spin_lock(page_table_lock)')]: 1 } },
      expectations: [
        {
          text: p(stale ? 'violation: stale-pte' : 'never: stale-pte'),
          scope: stale ? 'some schedule' : 'all schedules',
          met: true,
          detail: p(stale ? 'found' : 'none in 12 schedules'),
        },
      ],
    });
  }
  return {
    scenario: p('dfs-invalidate-race.mmscenario.yaml'),
    title: p('DFS pagefault / cross-node invalidate race'),
    description: p('A fault on a DFS file sleeps in ->nopage while another node invalidates the page.'),
    tasks: [p('fault'), p('invalidate')],
    runs,
    invariants: [
      { invariant: p('stale-pte'), counts: runs.map((r) => r.violations.length) },
      { invariant: p('ref-balance'), counts: runs.map(() => 0) },
    ],
    firstDivergence: {
      step: 0,
      eventIndex: runs.map(() => 0),
      summary: p('2.5.70 runs handle_mm_fault, install_new_page runs invalidate_mmap_range'),
    },
  };
}

export function makeExploration(poison?: string): Exploration {
  const p = (s: string) => (poison === undefined ? s : `${poison}${s}`);
  const t = trace(0, 13, poison);
  const schedule = t.map((e) => e.task);
  return {
    scenario: p('dfs-invalidate-race.mmscenario.yaml'),
    title: p('DFS race'),
    tasks: [p('fault'), p('invalidate')],
    variant: p('2.5.70'),
    selection: { fault: '2.5.70' },
    reduction: 'dpor',
    incompleteReason: null,
    schedules: 12,
    states: 40,
    steps: 150,
    revisits: 0,
    timeMs: 3.2,
    complete: true,
    preemptionBounded: false,
    cancelled: false,
    timedOut: false,
    firstViolationMs: 1.1,
    violations: [
      {
        invariant: p('stale-pte'),
        message: p('stale pte after invalidate'),
        schedule,
        scheduleText: p('fault*2, invalidate*3'),
        preemptions: 1,
        step: 12,
        task: p('fault'),
        fn: p('do_no_page'),
        locksHeld: [p('page_table_lock')],
        replay: { schedule, trace: t },
      },
    ],
    expectations: [{ text: p('violation: stale-pte'), scope: 'some schedule', met: true, detail: p('found') }],
    ok: true,
  };
}

/** a result expectation checked on the default order, another run than the card's, which gives otherwise */
export function resultOnAnotherRun(): ExpectationOutcome {
  return {
    text: 'result fault#1 = no fault',
    scope: 'run',
    on: 'default order',
    shown: { same: false, met: false, detail: 'read: SIGBUS' },
    met: true,
    detail: 'read: no fault',
  };
}
