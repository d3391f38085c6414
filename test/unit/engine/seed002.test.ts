// Seed 002: remap_file_pages() with per-page protections (VM_NONUNIFORM) versus 2.6.13.

import { describe, it, expect } from 'vitest';
import { createMachine, runDirect, VM_NONUNIFORM, VM_NONLINEAR, type RemapRules, type Variant } from '../../../src/engine/index';
import type { OpSpec, WorldSpec } from '../../../src/engine/sim/spec';
import { explore, has, anyViolation } from './explore';

const P = 0x1000;
const base = 0x100000;

function world(ops: OpSpec[], extra: Partial<WorldSpec> = {}): WorldSpec {
  return { files: [{ name: 'f', pages: 8 }], mms: [{ name: 'uml' }], tasks: [{ name: 'T', mm: 'uml', ops }], ...extra };
}

const setup: OpSpec[] = [
  { op: 'mmap', addr: base, pages: 4, prot: 'rw-', shared: true, file: 'f' },
  // page 1 read-only, shown from file page 5 (nonlinear and nonuniform)
  { op: 'remap', addr: base + P, pages: 1, pgoff: 5, prot: 'r--', flags: ['MAP_NOINHERIT'] },
];

describe('seed 002: nonuniform', () => {
  it('one VMA, VM_NONUNIFORM|VM_NONLINEAR, SIGSEGV on the read-only page only', () => {
    const m = createMachine(world([...setup,
      { op: 'write', addr: base + P },
      { op: 'read', addr: base + P },
      { op: 'write', addr: base },
    ]), { remap: 'nonuniform' });
    m.runAll();
    expect(m.results.map((r) => r.result)).toEqual(['0x100000', '0', 'SIGSEGV', 'no fault', 'VM_FAULT_MAJOR']);
    const mm = m.kernel.mms.get('uml')!;
    expect(mm.mapCount).toBe(1);
    const vma = mm.vmas.head!;
    expect(vma.flags & VM_NONUNIFORM).toBeTruthy();
    expect(vma.flags & VM_NONLINEAR).toBeTruthy();
    expect(m.violations).toEqual([]);
  });

  it('keeps the SIGSEGV promise across swap-out and back (the file pte carries the protection)', () => {
    const m = createMachine(world([...setup,
      { op: 'read', addr: base + P },
      { op: 'swap-out', addr: base + P },
      { op: 'write', addr: base + P },
      { op: 'read', addr: base + P },
      { op: 'write', addr: base + P },
    ]), { remap: 'nonuniform' }, { trace: true });
    m.runAll();
    const r = m.results.map((x) => x.result);
    expect(r[3]).toMatch(/^1 swapped out/);
    // the write refaults the page through do_file_page with the file pte's r--, then is refused
    expect(r.slice(4)).toEqual(['SIGSEGV', 'no fault', 'SIGSEGV']);
    expect(m.trace.some((e) => e.fn === 'do_file_page' && e.kind === 'enter')).toBe(true);
    const snap = m.snapshot();
    const pte = snap.mms[0].ptes.find((p) => p.addr === base + P)!;
    expect(pte.kind).toBe('present');
    expect(pte.prot).toBe('r--');
    expect(m.violations).toEqual([]);
  });

  it('mprotect() over the range rewrites the per-page protections, also in file ptes', () => {
    const m = createMachine(world([...setup,
      { op: 'read', addr: base + P },
      { op: 'swap-out', addr: base + P },
      { op: 'mprotect', addr: base, pages: 4, prot: 'rw-' },
      { op: 'write', addr: base + P },
    ]), { remap: 'nonuniform' });
    m.runAll();
    expect(m.results[5].result).toBe('VM_FAULT_MAJOR');
    expect(m.violations).toEqual([]);
  });

  it('the invariant catches a rule set that loses the protection on swap-out', () => {
    const extraVariants: Variant<RemapRules>[] = [{ name: 'test-nonuniform-no-fileprot', family: 'remap', seed: '002', description: 'test only: file ptes without protection', rules: { perPageProt: true, protInFilePte: false, checkAfterPte: true, mprotectCoherent: true } }];
    const m = createMachine(world([...setup,
      { op: 'read', addr: base + P },
      { op: 'swap-out', addr: base + P },
      { op: 'write', addr: base + P },
    ]), { remap: 'test-nonuniform-no-fileprot' }, { extraVariants });
    m.runAll();
    expect(m.results[4].result).not.toBe('SIGSEGV');
    expect(m.violations.map((v) => v.invariant)).toContain('sigsegv');
  });

  it('the invariant catches an mprotect that leaves file ptes behind', () => {
    const extraVariants: Variant<RemapRules>[] = [{ name: 'test-nonuniform-incoherent', family: 'remap', seed: '002', description: 'test only: mprotect ignores per-page protections', rules: { perPageProt: true, protInFilePte: true, checkAfterPte: true, mprotectCoherent: false } }];
    const m = createMachine(world([...setup,
      { op: 'read', addr: base + P },
      { op: 'swap-out', addr: base + P },
      { op: 'mprotect', addr: base, pages: 4, prot: 'rw-' },
      { op: 'write', addr: base + P },
    ]), { remap: 'test-nonuniform-incoherent' }, { extraVariants });
    m.runAll();
    expect(m.results[5].result).toBe('SIGSEGV');
    expect(m.violations.map((v) => v.invariant)).toContain('sigsegv');
  });
});

describe('seed 002: patch 19 is strict about present ptes', () => {
  // "on VM_NONUNIFORM vmas, in handle_pte_fault(), if the PTE is present we return
  // VM_FAULT_SIGSEGV. This has proven to be a bit strict" -- a thread that faulted on a none pte
  // while another thread populated it with the right protection gets SIGSEGV.
  const w = (remapOp: OpSpec): WorldSpec => ({
    files: [{ name: 'f', pages: 8 }],
    mms: [{ name: 'uml' }],
    tasks: [
      { name: 'T1', mm: 'uml', ops: [{ op: 'mmap', addr: base, pages: 4, prot: 'rw-', shared: true, file: 'f' }, remapOp] },
      { name: 'T2', mm: 'uml', ops: [{ op: 'sleep' }, { op: 'read', addr: base + P }] },
    ],
  });
  it('nonuniform: some schedule gives the reading thread a SIGSEGV the protections do not call for', () => {
    const r = explore(w({ op: 'remap', addr: base + P, pages: 1, pgoff: 5, prot: 'r--', flags: ['MAP_NOINHERIT'] }), { remap: 'nonuniform' }, has('sigsegv'));
    expect(r.found).not.toBeNull();
    expect(r.foundMachine!.results.find((x) => x.task === 'T2' && x.op === 'read')!.signal).toBe('SIGSEGV');
  });
  it('2.6.13: the same race (remap without a protection) never does', () => {
    expect(explore(w({ op: 'remap', addr: base + P, pages: 1, pgoff: 5 }), { remap: '2.6.13' }, anyViolation).found).toBeNull();
  });
});

describe('seed 002: patch 19 populates a file pte before checking the access', () => {
  // "For now, do_file_page installs the PTE and doesn't check the fault type, if it was wrong,
  // then it'll do another fault and die only then" -- unless ->populate fails first: a write to a
  // read-only page whose file pte survived a truncate (truncate leaves file ptes alone) gets
  // SIGBUS from the populate beyond EOF, where the protections promised SIGSEGV.
  const ops: OpSpec[] = [
    { op: 'mmap', addr: base, pages: 4, prot: 'rw-', shared: true, file: 'f' },
    { op: 'remap', addr: base + P, pages: 1, pgoff: 0, prot: 'r--', flags: ['MAP_NOINHERIT'] },
    { op: 'truncate', file: 'f', pages: 0 },
    { op: 'write', addr: base + P },
  ];
  it('nonuniform: SIGBUS, and the sigsegv invariant says so', () => {
    const m = runDirect({ files: [{ name: 'f', pages: 8 }], mms: [{ name: 'uml' }], tasks: [{ name: 'T', mm: 'uml', ops }] }, { remap: 'nonuniform' });
    expect(m.results.find((x) => x.op === 'write')!.signal).toBe('SIGBUS');
    expect(m.violations.map((v) => v.invariant)).toEqual(['sigsegv']);
  });
});

describe('seed 002: 2.6.13', () => {
  it('remap_file_pages with a protection is -EINVAL; prot 0 rearranges pages in one nonlinear VMA', () => {
    const m = createMachine(world([...setup,
      { op: 'remap', addr: base + 2 * P, pages: 1, pgoff: 6 },
      { op: 'write', addr: base + P },
      { op: 'write', addr: base + 2 * P },
      { op: 'swap-out', addr: base + 2 * P },
      { op: 'read', addr: base + 2 * P },
    ]), { remap: '2.6.13' });
    m.runAll();
    const r = m.results.map((x) => x.result);
    expect(r[1]).toBe('-EINVAL');
    expect(r[2]).toBe('0');
    // the page is not read-only: nothing was promised, the write succeeds
    expect(r[3]).not.toBe('SIGSEGV');
    expect(m.kernel.mms.get('uml')!.vmas.head!.flags & VM_NONLINEAR).toBeTruthy();
    // after swap-out the file pte refaults file page 6 at that address
    const snap = m.snapshot();
    const pte = snap.mms[0].ptes.find((p) => p.addr === base + 2 * P)!;
    const page = snap.pages.find((p) => p.pfn === pte.pfn)!;
    expect(page.index).toBe(6);
    expect(m.violations).toEqual([]);
  });

  it('UML needs one VMA per differently protected page: the 65536 limit gives -ENOMEM', () => {
    const pages = 2 * 32800;
    const ops: OpSpec[] = [{ op: 'mmap', addr: base, pages, prot: 'rw-', shared: true, file: 'f' }];
    for (let i = 1; i < pages; i += 2) ops.push({ op: 'mprotect', addr: base + i * P, pages: 1, prot: 'r--' });
    const m = runDirect({ files: [{ name: 'f', pages }], mms: [{ name: 'uml' }], tasks: [{ name: 'T', mm: 'uml', ops }] }, { remap: '2.6.13' });
    const first = m.results.findIndex((r) => r.result === '-ENOMEM');
    expect(first).toBeGreaterThan(0);
    expect(m.kernel.mms.get('uml')!.mapCount).toBe(65536);
    // every mprotect before the failure split off a VMA for its page
    expect(m.results.slice(1, first).every((r) => r.result === '0')).toBe(true);
  });

  it('nonuniform does the same protections in one VMA', () => {
    const pages = 2 * 32800;
    const ops: OpSpec[] = [{ op: 'mmap', addr: base, pages, prot: 'rw-', shared: true, file: 'f' }];
    for (let i = 1; i < pages; i += 2) ops.push({ op: 'remap', addr: base + i * P, pages: 1, pgoff: i, prot: 'r--', flags: ['MAP_NOINHERIT', 'MAP_NONBLOCK'] });
    ops.push({ op: 'write', addr: base + (pages - 1) * P }, { op: 'write', addr: base + (pages - 2) * P });
    const m = runDirect({ files: [{ name: 'f', pages }], mms: [{ name: 'uml' }], tasks: [{ name: 'T', mm: 'uml', ops }] }, { remap: 'nonuniform' });
    expect(m.results.filter((r) => r.result !== '0').map((r) => r.result)).toEqual(['0x100000', 'SIGSEGV', 'VM_FAULT_MAJOR']);
    expect(m.kernel.mms.get('uml')!.mapCount).toBe(1);
    expect(m.violations).toEqual([]);
  });
});

describe('reclaim (shrink_list) against a concurrent ->nopage', () => {
  it('keeps a page that a fault found in the page cache after try_to_unmap (page_count != 2)', () => {
    const w: WorldSpec = {
      files: [{ name: 'f', pages: 2 }],
      mms: [{ name: 'uml' }],
      tasks: [
        { name: 'T', mm: 'uml', ops: [{ op: 'mmap', addr: base, pages: 2, prot: 'rw-', shared: true, file: 'f' }, { op: 'read', addr: base }, { op: 'read', addr: base }] },
        { name: 'K', mm: 'uml', ops: [{ op: 'swap-out', addr: base }] },
      ],
    };
    const m = createMachine(w, { remap: '2.6.13' }, { trace: true });
    while (m.results.filter((r) => r.task === 'T').length < 2) m.step(0);
    const unmapped = () => m.trace.some((e) => e.task === 1 && e.kind === 'exit' && e.fn === 'try_to_unmap');
    while (!unmapped()) m.step(1);
    // the second read faults and finds the page still cached, then reclaim goes on
    while (!m.done() && m.runnable().includes(0)) m.step(0);
    while (!m.done()) m.step(1);
    m.finish();
    expect(m.violations).toEqual([]);
    expect(m.results.find((r) => r.task === 'K')!.result).toBe('0 swapped out; page 0: SWAP_FAIL');
    const mm = m.kernel.mms.get('uml')!;
    const cached = m.kernel.files.get('f')!.mapping(null).cache.get(0)!;
    expect(m.kernel.alloc.byPfn(mm.pt.val(base))).toBe(cached);
  });
});
