// Shared worlds and trace queries for the get_user_pages / page-walk / put_user_page tests.

import { createMachine, type EngineMachine } from '../../../src/engine/index';
import type { OpSpec, TraceEvent, VariantSelection, WorldSpec } from '../../../src/engine/sim/spec';
import { findPageSet, type PageSet } from '../../../src/engine/mm/pinnedPages';
import type { Page } from '../../../src/engine/mm/page';

export const PAGE = 0x1000;
/** a 2 MB hugetlb VMA, an anonymous rw VMA right after it, then a hole */
export const HUGE = 0x200000;
export const HUGE_END = 0x400000;
export const A = 0x400000;
export const A_PAGES = 4;
export const HOLE = A + A_PAGES * PAGE;

export const hugeAndAnon: OpSpec[] = [
  { op: 'mmap', addr: HUGE, pages: 512, prot: 'rw-', flags: ['VM_HUGETLB'] },
  { op: 'mmap', addr: A, pages: A_PAGES, prot: 'rw-' },
  { op: 'touch', addr: A, pages: A_PAGES, write: true },
];

export function world(ops: OpSpec[], extra: Partial<WorldSpec> = {}): WorldSpec {
  return { mms: [{ name: 'A' }], tasks: [{ name: 't', mm: 'A', ops }], ...extra };
}

export function run(w: WorldSpec, variants: VariantSelection): EngineMachine {
  return createMachine(w, variants, { trace: true }).runAll();
}

export function violations(m: EngineMachine): string[] {
  return m.violations.map((v) => v.invariant);
}

export function resultOf(m: EngineMachine, index: number, task = 't'): string {
  const r = m.results.find((x) => x.task === task && x.index === index);
  if (!r) throw new Error(`no result for op ${index} of ${task}`);
  return r.result;
}

export function pageSet(m: EngineMachine, name: string): PageSet {
  const s = findPageSet(m.kernel.tasks[0], name);
  if (!s) throw new Error(`no page set '${name}'`);
  return s;
}

/** the trace events of one op of task 0 (between its 'op' event and the next) */
export function opEvents(m: EngineMachine, index: number, task = 0): TraceEvent[] {
  const evs = m.trace.filter((e) => e.task === task);
  const starts = evs.map((e, i) => (e.kind === 'op' ? i : -1)).filter((i) => i >= 0);
  const from = starts[index];
  const to = index + 1 < starts.length ? starts[index + 1] : evs.length;
  return evs.slice(from, to);
}

export function ptlOps(evs: TraceEvent[]): TraceEvent[] {
  return evs.filter((e) => (e.kind === 'lock' || e.kind === 'unlock') && e.detail.endsWith('(page_table_lock)'));
}

export function pageAt(m: EngineMachine, addr: number, mm = 'A'): Page {
  const s = m.kernel.mms.get(mm)!;
  const pfn = s.pt.val(addr);
  return m.kernel.alloc.byPfn(pfn)!;
}
