// The variant catalogue and what each variant's rules change when the engine runs them.

import { describe, it, expect } from 'vitest';

import { createMachine, listVariants, type FaultRules, type Variant } from '../../../src/engine/index';
import type { TraceEvent, VariantSelection, WorldSpec } from '../../../src/engine/sim/spec';

import { explore, has } from './explore';

const fileWorld: WorldSpec = {
  files: [{ name: 'f', pages: 2 }],
  mms: [{ name: 'A' }],
  tasks: [
    {
      name: 'T',
      mm: 'A',
      ops: [
        { op: 'mmap', addr: 0x10000, pages: 2, prot: 'rw-', shared: true, file: 'f' },
        { op: 'read', addr: 0x10000 },
      ],
    },
  ],
};

function traced(world: WorldSpec, v: VariantSelection): TraceEvent[] {
  const m = createMachine(world, v, { trace: true });
  m.runAll();
  expect(m.violations).toEqual([]);
  return m.trace as TraceEvent[];
}
const entered = (tr: TraceEvent[], fn: string) => tr.find((e) => e.kind === 'enter' && e.fn === fn);

describe('catalogue', () => {
  it('lists the fault and remap variants with seed and description, one base per family', () => {
    const v = listVariants();
    const names = (fam: string) => v.filter((x) => x.family === fam).map((x) => x.name);
    expect(names('fault')).toEqual(expect.arrayContaining(['2.5.70', 'install_new_page', 'install_new_page-hch', 'truncate-seq']));
    expect(names('remap')).toEqual(expect.arrayContaining(['2.6.13', 'nonuniform']));
    for (const x of v) {
      expect(x.description.length).toBeGreaterThan(40);
      // mutations are deliberate breakages, from no seed
      expect(x.seed).toMatch(x.family === 'mutation' ? /^-$/ : /^00[0-4]$/);
    }
    expect(v.filter((x) => x.family === 'mutation' && x.base).map((x) => x.name)).toEqual(['none']);
    expect(v.filter((x) => x.family === 'fault' && x.base).map((x) => x.name)).toEqual(['2.5.70']);
  });
  it('each fault variant names the era and source of its kernel functions', () => {
    const eras = (name: string) => listVariants().find((x) => x.family === 'fault' && x.name === name)!.eras;
    expect(eras('2.5.70').do_no_page).toMatch(/^2\.5\.70 mm\/memory\.c.*pte_chain_alloc.*pte_mkwrite/);
    expect(eras('install_new_page').install_new_page).toMatch(/^2\.5\.70-mm2/);
    expect(eras('install_new_page-hch').install_new_page).toMatch(/^2\.5\.70-mm3/);
    expect(eras('truncate-seq').do_no_page).toMatch(/^2\.6\.0 .*truncate_count/);
    // hugetlb: prefaulted at mmap in every era the engine models (demand faulting is 2.6.16's)
    for (const n of ['2.5.70', 'truncate-seq', '2.6.11']) {
      expect(eras(n).hugetlb_prefault).toMatch(/^2\.6\.11 arch\/i386\/mm\/hugetlbpage\.c/);
      expect(eras(n).hugetlbfs_file_mmap).toMatch(/all three prefault/);
    }
    for (const n of ['2.5.70', 'install_new_page', 'install_new_page-hch', 'truncate-seq'])
      expect(eras(n).add_to_page_cache).toMatch(/tree_lock/);
  });
  it('an unknown variant is a clear error naming the known ones', () => {
    expect(() => createMachine(fileWorld, { fault: '2.5.71' })).toThrow(/unknown fault variant '2.5.71' \(known: 2.5.70, install_new_page/);
  });
});

describe('fault rules at work', () => {
  it('2.5.70: ->nopage runs without page_table_lock and returns the page; do_no_page installs it', () => {
    const tr = traced(fileWorld, { fault: '2.5.70' });
    expect(entered(tr, 'filemap_nopage')!.locks).toEqual(['mmap_sem(r)']);
    expect(entered(tr, 'install_new_page')).toBeUndefined();
  });
  it('install_new_page: the hook calls install_new_page', () => {
    const tr = traced(fileWorld, { fault: 'install_new_page' });
    expect(entered(tr, 'filemap_nopage')!.locks).toEqual(['mmap_sem(r)']);
    expect(entered(tr, 'install_new_page')).toBeDefined();
  });
  it('install_new_page-hch: ->nopage is entered with page_table_lock held and drops it itself', () => {
    const tr = traced(fileWorld, { fault: 'install_new_page-hch' });
    expect(entered(tr, 'filemap_nopage')!.locks).toEqual(['mmap_sem(r)', 'page_table_lock']);
    expect(entered(tr, 'do_no_page')).toBeUndefined();
    expect(entered(tr, 'install_new_page')!.locks).toEqual(['mmap_sem(r)']);
  });
  it('install_new_page: the DFS holds its token across install_new_page', () => {
    const w: WorldSpec = {
      nodes: ['A'],
      files: [{ name: 'f', pages: 1, fs: 'dfs' }],
      mms: [{ name: 'm', node: 'A' }],
      tasks: [
        {
          name: 'T',
          mm: 'm',
          ops: [
            { op: 'mmap', addr: 0x10000, pages: 1, prot: 'rw-', shared: true, file: 'f' },
            { op: 'read', addr: 0x10000 },
          ],
        },
      ],
    };
    expect(entered(traced(w, { fault: 'install_new_page' }), 'install_new_page')!.locks).toContain('dfs_token(f:0)(s)');
    const base = traced(w, { fault: '2.5.70' });
    const pteSet = base.find((e) => e.kind === 'pte')!;
    expect(pteSet.locks.some((l) => l.startsWith('dfs_token'))).toBe(false);
  });
  it('counts the arguments passed down per fault (the stack cost the thread debates)', () => {
    const counters = (fault: string) => {
      const m = createMachine(fileWorld, { fault });
      m.runAll();
      return m.snapshot().counters!;
    };
    expect(counters('2.5.70')).toMatchObject({ 'nopage calls': 1, 'nopage args': 3, faults: 1, 'major faults': 1 });
    expect(counters('2.5.70')['install_new_page calls']).toBeUndefined();
    expect(counters('install_new_page')).toMatchObject({ 'nopage args': 5, 'install_new_page args': 6 });
    expect(counters('install_new_page-hch')).toMatchObject({ 'nopage args': 6, 'install_new_page args': 6 });
  });
  it('truncate-seq: the racing schedule retries ->nopage', () => {
    const w: WorldSpec = { ...fileWorld, tasks: [fileWorld.tasks[0], { name: 'trunc', ops: [{ op: 'truncate', file: 'f', pages: 0 }] }] };
    const retried = (m: { trace: readonly TraceEvent[] }) => m.trace.some((e) => e.kind === 'note' && /retry ->nopage/.test(e.detail));
    const r = explore(w, { fault: 'truncate-seq' }, retried, 20000, true);
    expect(r.found).not.toBeNull();
    // the retry finds the new i_size: SIGBUS, and nothing stale is left mapped
    expect(r.foundMachine!.results.find((x) => x.op === 'read')!.signal).toBe('SIGBUS');
    expect(r.foundMachine!.violations).toEqual([]);
  });
  it('the token rule is what closes the DFS race: the install form without it still races', () => {
    const extraVariants: Variant<FaultRules>[] = [
      {
        name: 'test-install-token-dropped',
        family: 'fault',
        seed: '004',
        description: 'test only: install_new_page form, DFS drops its token before installing',
        rules: {
          nopage: 'install',
          anonymousIsNopage: false,
          dfsTokenAcrossInstall: false,
          truncateSequence: false,
          mkwrite: 'pte_mkwrite',
        },
      },
    ];
    const w: WorldSpec = {
      nodes: ['A', 'B'],
      files: [{ name: 'f', pages: 1, fs: 'dfs' }],
      mms: [{ name: 'm', node: 'A' }],
      tasks: [
        {
          name: 'fault',
          mm: 'm',
          ops: [
            { op: 'mmap', addr: 0x10000, pages: 1, prot: 'rw-', shared: true, file: 'f' },
            { op: 'read', addr: 0x10000 },
          ],
        },
        { name: 'writer', node: 'B', ops: [{ op: 'remote-write', file: 'f', page: 0 }] },
      ],
    };
    expect(explore(w, { fault: 'test-install-token-dropped' }, has('stale-pte'), 20000, false, { extraVariants }).found).not.toBeNull();
    expect(explore(w, { fault: 'install_new_page' }, has('stale-pte')).found).toBeNull();
  });
});

describe('each column in its own era', () => {
  const sleepsOf = (tr: TraceEvent[]) =>
    tr.filter((e) => e.kind === 'sleep' || (e.kind === 'exit' && /nopage/.test(e.fn))).map((e) => `${e.fn}: ${e.detail}`);
  /** task T in mm A over a one-page file f, running `ops` */
  const fileWorld = (ops: WorldSpec['tasks'][number]['ops']): WorldSpec => ({
    files: [{ name: 'f', pages: 1 }],
    mms: [{ name: 'A' }],
    tasks: [{ name: 'T', mm: 'A', ops }],
  });
  const privWrite = fileWorld([
    { op: 'mmap', addr: 0x10000, pages: 1, prot: 'rw-', file: 'f' },
    { op: 'write', addr: 0x10000 },
  ]);
  it('2.5.70 and truncate-seq: do_no_page sleeps in pte_chain_alloc(GFP_KERNEL) after ->nopage, before the early COW', () => {
    for (const fault of ['2.5.70', 'truncate-seq']) {
      const s = sleepsOf(traced(privWrite, { fault }));
      const nopage = s.indexOf('filemap_nopage: filemap_nopage');
      expect(s.slice(nopage + 1), fault).toEqual(['do_no_page: pte_chain_alloc(GFP_KERNEL)', 'do_no_page: alloc_page(GFP_HIGHUSER)']);
    }
  });
  it('install_new_page: the same sleep, moved into install_new_page by the -mm2 patch', () => {
    const s = sleepsOf(traced(privWrite, { fault: 'install_new_page' }));
    expect(s).toContain('install_new_page: pte_chain_alloc(GFP_KERNEL)');
    expect(s.some((x) => x.startsWith('do_no_page: pte_chain_alloc'))).toBe(false);
  });
  it('pte_mkwrite (2.5.70): a forced get_user_pages write fault installs a writable pte in a read-only VMA; under maybe_mkwrite (2.6.11) it is read-only and a second fault (do_wp_page) follows', () => {
    const extraVariants: Variant<FaultRules>[] = [
      {
        name: 'test-maybe_mkwrite',
        family: 'fault',
        seed: '004',
        description: 'test only: the 2.5.70 fault path with 2.6.11 maybe_mkwrite() in do_no_page',
        rules: {
          nopage: 'page',
          anonymousIsNopage: false,
          dfsTokenAcrossInstall: false,
          truncateSequence: false,
          mkwrite: 'maybe_mkwrite',
        },
      },
    ];
    const w = fileWorld([
      { op: 'mmap', addr: 0x10000, pages: 1, prot: 'r--', file: 'f' },
      { op: 'gup', addr: 0x10000, pages: 1, write: true, force: true, as: 'p' }, // ptrace's access_process_vm
      { op: 'release', pages: 'p', fn: 'put_page' },
      { op: 'write', addr: 0x10000 },
    ]);
    const traced1 = (m: { trace: readonly TraceEvent[] }) => m.trace as TraceEvent[];
    const old = createMachine(w, { fault: '2.5.70' }, { trace: true });
    old.runAll();
    expect(old.snapshot().mms[0].ptes[0].prot).toBe('rw-');
    expect(old.results[3].result).toBe('no fault');
    expect(old.violations.map((v) => v.invariant)).toEqual(['sigsegv']);
    expect(entered(traced1(old), 'do_wp_page')).toBeUndefined();
    const fixed = createMachine(w, { fault: 'test-maybe_mkwrite' }, { trace: true, extraVariants });
    fixed.runAll();
    // do_no_page left the pte read-only, so follow_page(write) failed and the COW fault ran
    // (do_wp_page is still 2.5.70's, which makes the pte writable)
    expect(entered(traced1(fixed), 'do_wp_page')).toBeDefined();
  });
});
