// Bindings of Linux 2.6.11 (i386) onto the engine: the primitives and macros, struct fields,
// constants and hook members the fault path's C uses. Each primitive that takes a lock, sleeps, or
// reads or writes shared kernel state announces its step where the TypeScript kernel function does
// (doNoPage.ts, doAnonymousPage.ts, handleMmFault.ts, installNewPage.ts), with the same labels and
// object keys, so that interpreted and TypeScript columns run under the same schedules.

import type { File, AddressSpace } from '../../engine/mm/addressSpace';
import { doAnonymousPage } from '../../engine/mm/doAnonymousPage';
import { doFilePage } from '../../engine/mm/doFilePage';
import { doNoPage } from '../../engine/mm/doNoPage';
import { doSwapPage } from '../../engine/mm/doSwapPage';
import { doWpPage } from '../../engine/mm/doWpPage';
import { handlePteFault } from '../../engine/mm/handleMmFault';
import type { MmStruct } from '../../engine/mm/mmStruct';
import type { Page } from '../../engine/mm/page';
import { PG_anon, PG_lru, PG_uptodate } from '../../engine/mm/page';
import { pageCacheRead } from '../../engine/mm/pageCache';
import { PTE_FILE, PTE_NONE, PTE_PRESENT } from '../../engine/mm/pageTable';
import { anonVmaPrepare, pageAddRmap, pageRemoveRmap } from '../../engine/mm/rmap';
import type { VmOperations } from '../../engine/mm/vmOps';
import { NOPAGE_OOM as TS_NOPAGE_OOM } from '../../engine/mm/vmOps';
import type { Vma } from '../../engine/mm/vma';
import { SideTable } from '../../engine/sim/checkpoint';
import {
  EINVAL,
  ENOMEM,
  PAGE_SHIFT,
  PAGE_SIZE,
  VM_EXEC,
  VM_FAULT_MAJOR,
  VM_FAULT_MINOR,
  VM_FAULT_OOM,
  VM_FAULT_SIGBUS,
  VM_HUGETLB,
  VM_IO,
  VM_MAYSHARE,
  VM_NONLINEAR,
  VM_READ,
  VM_RESERVED,
  VM_SHARED,
  VM_WRITE,
  faultName,
} from '../../engine/sim/constants';
import type { Lock } from '../../engine/sim/locks';
import type { Step } from '../../engine/sim/step';
import type { Task } from '../../engine/sim/task';
import { HookPtr, type CallSite, type ConstBinding, type EraBindings, type FieldBinding, type FnBinding } from '../binding';
import { INT, opaque, ptr, ptrTo, struct, UINT, ULONG, VOID, type CType } from '../cType';
import { runFunction } from '../compile';
import { LocalRef } from '../frame';
import {
  mkPte,
  PmdPtr,
  pteKind,
  pteMkdirty,
  pteMkwrite,
  pteMkyoung,
  pteProt,
  PtePtr,
  pteVal,
  pteWrprotect,
  readPte,
  writePte,
} from '../pte';

const PTE: CType = struct('pte_t');
const PAGE = ptrTo('page');
const MM = ptrTo('mm_struct');

/** vma->vm_file: the file as the VMA's node sees it (a DFS file has one page cache per node) */
class FileRef {
  constructor(
    readonly file: File,
    readonly node: string | null,
  ) {}
  stateKey(): string {
    return `file:${this.file.name}`;
  }
}
// immutable cache (a C pointer's identity), not kernel state: checkpoints need not see it
const fileRefs = new WeakMap<Vma, FileRef>();

const truthy = (v: unknown): boolean => v !== 0 && v !== null && v !== undefined && v !== false;
const int = (v: unknown): number => (typeof v === 'number' ? v : truthy(v) ? 1 : 0);

// ---- building blocks of the tables ----
const noop = (doc: string, ret: CType = VOID): FnBinding => ({ ret, noop: true, run: () => 0, doc });
const pure = (ret: CType, run: (a: unknown[]) => unknown, doc: string): FnBinding => ({ ret, run: (_c, a) => run(a), doc });
const fn = (ret: CType, run: (c: CallSite, a: unknown[]) => unknown, doc: string): FnBinding => ({ ret, run, doc });
const gen = (ret: CType, g: (c: CallSite, a: unknown[]) => Generator<Step, unknown, void>, doc: string): FnBinding => ({
  ret,
  gen: g,
  doc,
});
/** a void primitive that is only an announced step (a lock taken or released) */
const stepping = (doc: string, announce: (c: CallSite, a: unknown[]) => boolean): FnBinding =>
  gen(
    VOID,
    function* (c, a) {
      if (announce(c, a)) yield c.t.step;
      return 0;
    },
    doc,
  );
const k = (type: CType, value: unknown): ConstBinding => ({ type, value });
const lockArg = (c: CallSite, a: unknown[], what: string): Lock => {
  const l = a[0] as Lock | null;
  if (!l || typeof l.key !== 'string') c.t.oops(`${what} of a non-lock at ${c.loc}: \`${c.text}\``);
  return l;
};

/** a struct page * argument; NULL is an oops at the call's line, as the kernel's dereference would be */
const pg = (c: CallSite, a: unknown[], i: number): Page => {
  const p = a[i];
  if (p === null || p === undefined || p === 0) c.t.oops(`NULL pointer dereference at ${c.loc}: \`${c.text}\` (a NULL struct page)`);
  return p as Page;
};

/** page allocation that may sleep: the may-sleep point the TypeScript fault path announces */
function* allocPage(c: CallSite): Generator<Step, unknown, void> {
  if (c.t.sleep('alloc_page(GFP_HIGHUSER)')) yield c.t.step;
  return c.t.kernel.alloc.alloc();
}

/** ->readpage of the model's local filesystem: the I/O, the data, PG_uptodate, then unlock_page */
function* readPage(c: CallSite, page: Page): Generator<Step, number, void> {
  const t = c.t;
  const space = page.mapping!;
  if (t.sleep('->readpage (disk I/O)')) yield t.step;
  if (t.objRead(space.file.backingKey, page.index, 'readpage: data from the backing store')) yield t.step;
  page.version = space.file.version(page.index);
  page.setFlags(PG_uptodate);
  if (t.tracing) t.emit('note', `${space.name} page ${page.index} read, version ${page.version}`);
  if (t.unlockPage(page)) yield t.step;
  return 0;
}

/** readahead state of a file (file->f_ra): heuristics that only steer readahead, which the model does not do */
class RaState {
  mmap_miss = 0;
  mmap_hit = 0;
  stateKey(): string {
    return 'f_ra';
  }
}
const raStates = new SideTable<File, RaState>();
const raOf = (f: FileRef): RaState => {
  let r = raStates.get(f.file);
  if (!r) raStates.set(f.file, (r = new RaState()));
  return r;
};

/** the C that implements a filesystem's hook, when the program has it: vm_ops name -> function */
const HOOK_IMPLS: Record<string, string> = { generic_file_vm_ops: 'filemap_nopage' };

const functions: Record<string, FnBinding> = {
  // ---- locks ----
  spin_lock: stepping('spin_lock(&lock): the engine lock, acquired when the scheduler runs the step', (c, a) =>
    c.t.spinLock(lockArg(c, a, 'spin_lock')),
  ),
  spin_unlock: stepping('spin_unlock(&lock)', (c, a) => c.t.spinUnlock(lockArg(c, a, 'spin_unlock'))),
  lock_page: stepping('lock_page(page): PG_locked as a sleeping lock', (c, a) => c.t.lockPage(a[0] as Page)),
  unlock_page: stepping('unlock_page(page)', (c, a) => c.t.unlockPage(a[0] as Page)),

  // ---- compiler hints, barriers, accounting: no engine effect ----
  likely: pure(INT, (a) => a[0], 'branch hint: its argument'),
  unlikely: pure(INT, (a) => a[0], 'branch hint: its argument'),
  smp_rmb: noop("read barrier: invisible under the engine's sequential consistency"),
  smp_wmb: noop('write barrier: invisible under sequential consistency'),
  smp_mb: noop('full barrier: invisible under sequential consistency'),
  barrier: noop('compiler barrier'),
  cond_resched: noop('voluntary preemption point: not an interleaving point of the TypeScript fault path either'),
  __set_current_state: noop('task state (TASK_RUNNING)'),
  pte_unmap: noop('kunmap of a highmem pte page: no highmem in the model'),
  flush_icache_page: noop('cache flush: no caches in the model'),
  flush_cache_page: noop('cache flush: no caches in the model'),
  update_mmu_cache: noop('MMU hash update: no external MMU cache on i386'),
  acct_update_integrals: noop('process accounting'),
  update_mem_hiwater: noop('rss high-water mark'),
  SetPageReferenced: noop('LRU hint'),
  mark_page_accessed: noop('LRU hint'),
  grab_swap_token: noop('swap token heuristic'),
  printk: noop('kernel log'),
  inc_page_state: {
    ret: VOID,
    tokens: [0],
    run: (c, a) => (c.t.kernel.count(`page_state ${String(a[0])}`), 0),
    doc: 'inc_page_state(item): the item is a token (pgfault, pgmajfault), counted under "page_state <item>"',
  },

  // ---- pte values (include/asm-i386/pgtable*.h) ----
  pte_none: pure(INT, (a) => (pteKind(a[0] as number) === PTE_NONE ? 1 : 0), 'pte_none(pte)'),
  pte_present: pure(INT, (a) => (pteKind(a[0] as number) === PTE_PRESENT ? 1 : 0), 'pte_present(pte)'),
  pte_file: pure(INT, (a) => (pteKind(a[0] as number) === PTE_FILE ? 1 : 0), 'pte_file(pte): a nonlinear file pte'),
  pte_write: pure(INT, (a) => (pteProt(a[0] as number) & VM_WRITE ? 1 : 0), 'pte_write(pte)'),
  pte_mkdirty: pure(PTE, (a) => pteMkdirty(a[0] as number), 'pte_mkdirty(pte)'),
  pte_mkyoung: pure(PTE, (a) => pteMkyoung(a[0] as number), 'pte_mkyoung(pte)'),
  pte_wrprotect: pure(PTE, (a) => pteWrprotect(a[0] as number), 'pte_wrprotect(pte)'),
  pte_same: pure(INT, (a) => (a[0] === a[1] ? 1 : 0), 'pte_same(a, b)'),
  pte_pfn: pure(ULONG, (a) => pteVal(a[0] as number), 'pte_pfn(pte)'),
  pte_to_pgoff: pure(ULONG, (a) => pteVal(a[0] as number), 'pte_to_pgoff(pte): the file offset of a file pte'),
  mk_pte: fn(PTE, (c, a) => mkPte(pg(c, a, 0).pfn, a[1] as number), 'mk_pte(page, prot): present, young'),
  maybe_mkwrite: pure(
    PTE,
    (a) => ((a[1] as Vma).flags & VM_WRITE ? pteMkwrite(a[0] as number) : a[0]),
    'maybe_mkwrite(pte, vma): writable if the VMA is',
  ),
  pte_offset_map: fn(ptr(PTE), (_c, a) => new PtePtr((a[0] as PmdPtr).mm, a[1] as number), 'pte_offset_map(pmd, address)'),
  '*pte_t': gen(
    PTE,
    function* (c, a) {
      const p = a[0] as PtePtr;
      if (!p) c.t.oops(`NULL pointer dereference at ${c.loc}: \`${c.text}\``);
      if (c.t.pteRead(p.mm, p.addr, c.text)) yield c.t.step;
      return readPte(p.mm, p.addr);
    },
    '*ptep: a pte read, an interleaving point (another CPU may change the entry)',
  ),
  set_pte: gen(
    VOID,
    function* (c, a) {
      const p = a[0] as PtePtr;
      if (!p) c.t.oops(`NULL pointer dereference at ${c.loc}: \`${c.text}\``);
      if (c.t.pteWrite(p.mm, p.addr)) yield c.t.step;
      writePte(p.mm, p.addr, a[1] as number);
      if (c.t.tracing) c.t.emit('pte', `0x${p.addr.toString(16)} -> ${describePte(c.t, a[1] as number)}`);
      return 0;
    },
    'set_pte(ptep, pte): a pte write',
  ),
  pte_clear: gen(
    VOID,
    function* (c, a) {
      const p = a[0] as PtePtr;
      if (c.t.pteWrite(p.mm, p.addr, 'pte_clear')) yield c.t.step;
      p.mm.pt.clear(p.addr);
      return 0;
    },
    'pte_clear(ptep)',
  ),
  ptep_set_access_flags: gen(
    VOID,
    function* (c, a) {
      const p = a[2] as PtePtr;
      if (c.t.pteWrite(p.mm, p.addr, 'ptep_set_access_flags')) yield c.t.step;
      // i386 writes the entry only for a write; for a read the MMU sets the accessed bit when the
      // access is retried, which the TypeScript model folds into the fault
      if (truthy(a[4])) p.mm.pt.setDirty(p.addr);
      else p.mm.pt.setYoung(p.addr);
      return 0;
    },
    'ptep_set_access_flags(vma, address, ptep, entry, dirty)',
  ),

  // ---- page tables (handle_mm_fault) ----
  pgd_offset: fn(ptr(opaque('pgd_t')), (_c, a) => new PmdPtr(a[0] as MmStruct, a[1] as number, 'pgd'), 'pgd_offset(mm, address)'),
  pud_alloc: fn(
    ptr(opaque('pud_t')),
    (_c, a) => new PmdPtr(a[0] as MmStruct, a[2] as number, 'pud'),
    'pud_alloc(mm, pgd, address): folded on i386',
  ),
  pmd_alloc: fn(
    ptr(struct('pmd_t')),
    (_c, a) => new PmdPtr(a[0] as MmStruct, a[2] as number, 'pmd'),
    'pmd_alloc(mm, pud, address): the model allocates pmds with the pte table',
  ),
  pte_alloc_map: gen(
    ptr(PTE),
    function* (c, a) {
      const mm = a[0] as MmStruct;
      const addr = a[2] as number;
      if (!mm.pt.hasTable(addr)) {
        // pte_alloc_one(GFP_KERNEL) may sleep: page_table_lock is dropped around it
        if (c.t.spinUnlock(mm.pageTableLock)) yield c.t.step;
        if (c.t.sleep('pte_alloc_one(GFP_KERNEL)')) yield c.t.step;
        if (c.t.spinLock(mm.pageTableLock)) yield c.t.step;
        if (!mm.pt.hasTable(addr)) mm.pt.allocTable(addr);
      }
      return new PtePtr(mm, addr);
    },
    'pte_alloc_map(mm, pmd, address): allocates a missing pte table, dropping page_table_lock around the GFP_KERNEL allocation',
  ),

  // ---- pages ----
  ZERO_PAGE: fn(PAGE, (c) => c.t.kernel.alloc.zeroPage, 'ZERO_PAGE(vaddr): the reserved zero page'),
  PageReserved: fn(INT, (c, a) => (pg(c, a, 0).reserved ? 1 : 0), 'PageReserved(page)'),
  PageAnon: fn(INT, (c, a) => (pg(c, a, 0).test(PG_anon) ? 1 : 0), 'PageAnon(page)'),
  page_cache_get: fn(VOID, (c, a) => (c.t.kernel.alloc.get(pg(c, a, 0)), 0), 'page_cache_get(page): a reference'),
  page_cache_release: fn(
    VOID,
    (c, a) => (c.t.kernel.alloc.put(pg(c, a, 0)), 0),
    'page_cache_release(page): drops a reference, frees at zero',
  ),
  alloc_zeroed_user_highpage: gen(
    PAGE,
    (c) => allocPage(c),
    'alloc_zeroed_user_highpage(vma, addr): may sleep; NULL at the allocator limit',
  ),
  alloc_page_vma: gen(PAGE, (c) => allocPage(c), 'alloc_page_vma(gfp, vma, addr): may sleep; NULL at the allocator limit'),
  copy_user_highpage: fn(
    VOID,
    (c, a) => {
      pg(c, a, 0).userWrites = pg(c, a, 1).userWrites;
      return 0;
    },
    'copy_user_highpage(to, from, addr): the copy carries the data written so far',
  ),
  anon_vma_prepare: gen(
    INT,
    (c, a) => anonVmaPrepare(c.t, a[0] as Vma),
    "anon_vma_prepare(vma): the engine's (mm/rmap.ts): under the object rmap rules the VMA gets an anon_vma (may sleep, page_table_lock); never fails",
  ),
  lru_cache_add_active: fn(VOID, (c, a) => (pg(c, a, 0).setFlags(PG_lru), 0), 'lru_cache_add_active(page): PG_lru'),
  page_add_anon_rmap: fn(
    VOID,
    (c, a) => {
      const page = pg(c, a, 0);
      page.setFlags(PG_anon);
      pageAddRmap(page, (a[1] as Vma).mm, a[2] as number);
      return 0;
    },
    'page_add_anon_rmap(page, vma, address): PageAnon plus the reverse mapping',
  ),
  page_add_file_rmap: fn(
    VOID,
    (c, a) => {
      // 2.6.11's object-based rmap needs only the page; the engine's rmap records the mapping, which
      // is the caller's (mm, address)
      const mm = c.local('mm') as MmStruct | undefined;
      const address = c.local('address') as number | undefined;
      if (!mm || address === undefined) c.t.oops(`page_add_file_rmap at ${c.loc}: the binding needs the caller's mm and address locals`);
      pageAddRmap(pg(c, a, 0), mm!, address!);
      return 0;
    },
    "page_add_file_rmap(page): the mapping is the caller's (mm, address)",
  ),
  page_remove_rmap: fn(
    VOID,
    (c, a) => {
      const mm = c.local('mm') as MmStruct;
      pageRemoveRmap(a[0] as Page, mm, c.local('address') as number);
      return 0;
    },
    "page_remove_rmap(page): the mapping is the caller's (mm, address)",
  ),

  // ---- VMAs ----
  is_vm_hugetlb_page: pure(INT, (a) => ((a[0] as Vma).flags & VM_HUGETLB ? 1 : 0), 'is_vm_hugetlb_page(vma)'),
  BUG_ON: fn(
    VOID,
    (c, a) => {
      if (truthy(a[0])) c.t.oops(`kernel BUG at ${c.loc}: \`${c.text}\``);
      return 0;
    },
    'BUG_ON(cond): an oops when the condition holds',
  ),
  BUG: fn(VOID, (c) => c.t.oops(`kernel BUG at ${c.loc}`), 'BUG(): an oops'),

  // ---- the page cache (mm/filemap.c) ----
  i_size_read: gen(
    { k: 'int', bits: 64, signed: true },
    function* (c, a) {
      const f = a[0] as File;
      if (c.t.objRead(f.sizeKey, -1, 'i_size_read')) yield c.t.step;
      return f.size * PAGE_SIZE;
    },
    'i_size_read(inode): i_size in bytes, a read of shared state',
  ),
  find_get_page: gen(
    PAGE,
    function* (c, a) {
      const space = a[0] as AddressSpace;
      const pgoff = a[1] as number;
      if (c.t.objRead(space.slotKey, pgoff, 'find_get_page')) yield c.t.step;
      const page = space.cache.get(pgoff);
      if (!page) return null;
      c.t.kernel.alloc.get(page);
      return page;
    },
    'find_get_page(mapping, offset): a referenced page of the page cache, or NULL',
  ),
  page_cache_read: gen(
    INT,
    function* (c, a) {
      const fr = a[0] as FileRef;
      // the engine's page_cache_read() (pageCache.ts, 2.6.11 mm/filemap.c): add_to_page_cache under
      // tree_lock (0 also on -EEXIST: the caller looks the page up again), ->readpage
      return yield* pageCacheRead(c.t, fr.file.mapping(fr.node), a[1] as number, '->readpage (disk I/O)');
    },
    'page_cache_read(file, offset): add a locked page to the cache under tree_lock and ->readpage it (which unlocks it)',
  ),
  PageUptodate: pure(INT, (a) => ((a[0] as Page).test(PG_uptodate) ? 1 : 0), 'PageUptodate(page)'),
  wait_on_page_locked: gen(
    VOID,
    function* (c, a) {
      const p = a[0] as Page;
      if (c.t.lockPage(p)) yield c.t.step;
      if (c.t.unlockPage(p)) yield c.t.step;
      return 0;
    },
    'wait_on_page_locked(page): waits for the reader holding the page lock',
  ),
  ClearPageError: noop('no I/O errors in the model'),
  VM_RandomReadHint: pure(INT, () => 0, 'madvise hints: the model has none'),
  VM_SequentialReadHint: pure(INT, () => 0, 'madvise hints: the model has none'),
  page_cache_readahead: noop('readahead: the model reads only the faulting page'),
  do_page_cache_readahead: noop('readahead: the model reads only the faulting page', INT),
  handle_ra_miss: noop('readahead bookkeeping'),
  max_sane_readahead: pure(ULONG, () => 0, 'max_sane_readahead(n): 0, no readahead in the model'),

  // ---- the rest of the fault path, run by the engine's TypeScript kernel functions ----
  do_no_page: gen(
    INT,
    (c, a) => doNoPage(c.t, a[0] as MmStruct, a[1] as Vma, a[2] as number, truthy(a[3])),
    'do_no_page(mm, vma, address, write_access, page_table, pmd) in TypeScript (doNoPage.ts)',
  ),
  do_anonymous_page: gen(
    INT,
    (c, a) => doAnonymousPage(c.t, a[0] as MmStruct, a[1] as Vma, a[5] as number, truthy(a[4])),
    'do_anonymous_page(mm, vma, page_table, pmd, write_access, addr) in TypeScript',
  ),
  handle_pte_fault: gen(
    INT,
    (c, a) => handlePteFault(c.t, a[0] as MmStruct, a[1] as Vma, a[2] as number, truthy(a[3]) ? VM_WRITE : 0),
    'handle_pte_fault(mm, vma, address, write_access, pte, pmd) in TypeScript (handleMmFault.ts)',
  ),
  do_wp_page: gen(
    INT,
    (c, a) => doWpPage(c.t, a[0] as MmStruct, a[1] as Vma, a[2] as number),
    'do_wp_page(mm, vma, address, page_table, pmd, pte) in TypeScript (doWpPage.ts)',
  ),
  do_swap_page: gen(
    INT,
    (c, a) => doSwapPage(c.t, a[0] as MmStruct, a[1] as Vma, a[2] as number, truthy(a[6])),
    'do_swap_page(mm, vma, address, page_table, pmd, orig_pte, write_access) in TypeScript (doSwapPage.ts)',
  ),
  do_file_page: gen(
    INT,
    (c, a) => doFilePage(c.t, a[0] as MmStruct, a[1] as Vma, a[2] as number, truthy(a[3]) ? VM_WRITE : 0),
    'do_file_page(mm, vma, address, write_access, pte, pmd) in TypeScript (doFilePage.ts)',
  ),
};

function describePte(t: Task, e: number): string {
  const pfn = pteVal(e);
  if (pfn === t.kernel.alloc.zeroPage.pfn) return 'zero page';
  const page = t.kernel.alloc.byPfn(pfn);
  if (page?.mapping) return `pfn ${pfn} (${page.mapping.name} page ${page.index} v${page.version})`;
  return `pfn ${pfn}${page && page.flags & PG_anon ? ' (anonymous)' : ''}`;
}

// ---- struct fields ----
const field = <O>(type: CType, get: (o: O) => unknown, set?: (o: O, v: unknown) => void): FieldBinding => ({
  type,
  get: get,
  set: set,
});

// immutable caches (C pointers to hooks), not kernel state: checkpoints need not see them
const nopagePtrs = new WeakMap<VmOperations, HookPtr | null>();
// immutable cache, as above
const populatePtrs = new WeakMap<VmOperations, HookPtr | null>();

const structs: Record<string, Record<string, FieldBinding>> = {
  mm_struct: {
    page_table_lock: { type: opaque('spinlock_t'), addr: (mm: MmStruct) => mm.pageTableLock },
    mmap_sem: { type: opaque('rw_semaphore'), addr: (mm: MmStruct) => mm.mmapSem },
    rss: field<MmStruct>(
      ULONG,
      (mm) => mm.rss,
      (mm, v) => (mm.rss = int(v)),
    ),
  },
  vm_area_struct: {
    vm_mm: field<Vma>(MM, (v) => v.mm),
    vm_start: field<Vma>(ULONG, (v) => v.start),
    vm_end: field<Vma>(ULONG, (v) => v.end),
    vm_pgoff: field<Vma>(ULONG, (v) => v.pgoff),
    vm_flags: field<Vma>(ULONG, (v) => v.flags),
    vm_page_prot: field<Vma>(opaque('pgprot_t'), (v) => v.pageProt),
    vm_ops: field<Vma>(ptrTo('vm_operations_struct'), (v) => v.ops),
    vm_file: field<Vma>(ptrTo('file'), (v) => {
      if (!v.file) return null;
      let r = fileRefs.get(v);
      if (!r || r.file !== v.file) fileRefs.set(v, (r = new FileRef(v.file, v.mm.node)));
      return r;
    }),
  },
  vm_operations_struct: {
    // the 2.6.11 form: struct page *(*nopage)(struct vm_area_struct *, unsigned long, int *type)
    nopage: field<VmOperations>({ k: 'fnptr', hook: 'vm_operations_struct.nopage', ret: PAGE }, (ops) => {
      let p = nopagePtrs.get(ops);
      if (p === undefined)
        nopagePtrs.set(ops, (p = ops.form === 'page' && ops.nopagePage ? new HookPtr('nopage', ops.nopagePage, ops.name) : null));
      return p;
    }),
    populate: field<VmOperations>({ k: 'fnptr', hook: 'vm_operations_struct.populate', ret: INT }, (ops) => {
      let p = populatePtrs.get(ops);
      if (p === undefined) populatePtrs.set(ops, (p = ops.populate ? new HookPtr('populate', ops.populate, ops.name) : null));
      return p;
    }),
  },
  file: {
    f_mapping: field<FileRef>(ptrTo('address_space'), (f) => f.file.mapping(f.node)),
    f_ra: { type: struct('file_ra_state'), get: raOf, addr: raOf },
  },
  file_ra_state: {
    mmap_miss: field<RaState>(
      UINT,
      (r) => r.mmap_miss,
      (r, v) => (r.mmap_miss = int(v)),
    ),
    mmap_hit: field<RaState>(
      UINT,
      (r) => r.mmap_hit,
      (r, v) => (r.mmap_hit = int(v)),
    ),
    ra_pages: field<RaState>(ULONG, () => 0),
  },
  inode: {},
  task_struct: {
    mm: field<Task>(MM, (t) => t.mm),
  },
  address_space_operations: {
    readpage: field<AddressSpace>(
      { k: 'fnptr', hook: 'address_space_operations.readpage', ret: INT },
      (s) => new HookPtr('readpage', s, s.name),
    ),
  },
  address_space: {
    host: field<AddressSpace>(ptrTo('inode'), (s) => s.file),
    // the model's filesystems share one set of address_space operations, kept on the mapping
    a_ops: field<AddressSpace>(ptrTo('address_space_operations'), (s) => s),
    // unsigned int truncate_count: another CPU's unmap_mapping_range() bumps it
    truncate_count: {
      type: UINT,
      get: (s: AddressSpace) => s.truncateCount.seq,
      announceRead: (c: CallSite, s: AddressSpace) => c.t.objRead(s.truncateCount.key, -1, c.text),
    },
  },
  page: {
    index: field<Page>(ULONG, (p) => p.index),
    mapping: field<Page>(ptrTo('address_space'), (p) => p.mapping),
  },
};

// ---- hooks ----
const hooks: EraBindings['hooks'] = {
  'address_space_operations.readpage': {
    ret: INT,
    doc: "int (*readpage)(struct file *, struct page *): the model's local filesystem reads the page and unlocks it",
    call: (c, _target, args) => readPage(c, args[1] as Page),
  },
  'vm_operations_struct.nopage': {
    ret: PAGE,
    doc: "struct page *(*nopage)(vma, address, int *type): the filesystem's TypeScript ->nopage; *type is VM_FAULT_MAJOR unless the page was cached and uptodate (what filemap_nopage reports)",
    *call(c, target, args) {
      const t = c.t;
      const vma = args[0] as Vma;
      const address = args[1] as number;
      const k = t.kernel;
      k.count('nopage calls');
      k.count('nopage args', args.length);
      const space = vma.file ? vma.file.mapping(vma.mm.node) : null;
      const cached = space?.cache.get(vma.linearIndex(address));
      const minor = cached !== undefined && cached.test(PG_uptodate);
      // a filesystem whose ->nopage the program has in C runs it interpreted
      const cfn = c.interpreted(HOOK_IMPLS[(target as HookPtr).owner] ?? '');
      if (cfn) return yield* runFunction(cfn, t, args, cfn.era);
      const impl = (target as HookPtr).target as NonNullable<VmOperations['nopagePage']>;
      const r = yield* impl(t, vma, address, 0);
      if (args[2] instanceof LocalRef && r !== null && r !== TS_NOPAGE_OOM) args[2].set(minor ? VM_FAULT_MINOR : VM_FAULT_MAJOR);
      return r === TS_NOPAGE_OOM ? -1 : r;
    },
  },
  'vm_operations_struct.populate': {
    ret: INT,
    doc: "int (*populate)(vma, addr, len, prot, pgoff, nonblock): the filesystem's TypeScript ->populate",
    *call(c, target, args) {
      const impl = (target as HookPtr).target as NonNullable<VmOperations['populate']>;
      return yield* impl(c.t, args[0] as Vma, args[1] as number, args[2] as number, args[3] as number, args[4] as number, truthy(args[5]));
    },
  },
};

const constants: Record<string, ConstBinding> = {
  NULL: k(ptr(VOID), null),
  VM_FAULT_OOM: k(INT, VM_FAULT_OOM),
  VM_FAULT_SIGBUS: k(INT, VM_FAULT_SIGBUS),
  VM_FAULT_MINOR: k(INT, VM_FAULT_MINOR),
  VM_FAULT_MAJOR: k(INT, VM_FAULT_MAJOR),
  NOPAGE_SIGBUS: k(PAGE, null),
  // ((struct page *) (-1))
  NOPAGE_OOM: k(PAGE, -1),
  PAGE_SIZE: k(ULONG, PAGE_SIZE),
  PAGE_SHIFT: k(INT, PAGE_SHIFT),
  PAGE_MASK: k(ULONG, ~(PAGE_SIZE - 1) >>> 0),
  VM_READ: k(ULONG, VM_READ),
  VM_WRITE: k(ULONG, VM_WRITE),
  VM_EXEC: k(ULONG, VM_EXEC),
  VM_SHARED: k(ULONG, VM_SHARED),
  VM_MAYSHARE: k(ULONG, VM_MAYSHARE),
  VM_IO: k(ULONG, VM_IO),
  VM_RESERVED: k(ULONG, VM_RESERVED),
  VM_HUGETLB: k(ULONG, VM_HUGETLB),
  VM_NONLINEAR: k(ULONG, VM_NONLINEAR),
  GFP_HIGHUSER: k(UINT, 0xd2),
  GFP_KERNEL: k(UINT, 0xd0),
  ENOMEM: k(INT, ENOMEM),
  EINVAL: k(INT, EINVAL),
  TASK_RUNNING: k(INT, 0),
  PAGE_CACHE_SHIFT: k(INT, PAGE_SHIFT),
  PAGE_CACHE_SIZE: k(ULONG, PAGE_SIZE),
  MMAP_LOTSAMISS: k(INT, 100),
  current: { type: ptrTo('task_struct'), value: null, get: (c) => c.t },
  KERN_ERR: k(ptr(INT), '<3>'),
};

const typedefs: Record<string, CType> = {
  pte_t: PTE,
  pmd_t: struct('pmd_t'),
  pgd_t: opaque('pgd_t'),
  pud_t: opaque('pud_t'),
  pgprot_t: opaque('pgprot_t'),
  spinlock_t: opaque('spinlock_t'),
  pgoff_t: ULONG,
  size_t: UINT,
  loff_t: { k: 'int', bits: 64, signed: true },
};

/** the engine's fault-path call as the C parameters: by type and name, so a patched signature binds too */
export function entryArgs(
  params: readonly { name: string; type: CType }[],
  mm: MmStruct,
  vma: Vma,
  address: number,
  access: number,
  page?: Page | null,
): unknown[] {
  return params.map((p) => {
    const t = p.type;
    if (t.k === 'ptr' && t.to.k === 'struct') {
      switch (t.to.name) {
        case 'page':
          return page ?? null;
        case 'mm_struct':
          return mm;
        case 'vm_area_struct':
          return vma;
        case 'pte_t':
          return new PtePtr(mm, address);
        case 'pmd_t':
          return new PmdPtr(mm, address, 'pmd');
      }
    }
    if (t.k === 'int') {
      if (/write/.test(p.name)) return access & VM_WRITE ? 1 : 0;
      if (/addr/.test(p.name)) return address;
    }
    throw new Error(`cannot pass the engine's fault call as parameter \`${p.name}\` (${JSON.stringify(t)})`);
  });
}

export { FileRef, describePte, allocPage };

export const linux2611: EraBindings = {
  era: '2.6.11',
  typedefs,
  structs,
  functions,
  constants,
  hooks,
  entries: {
    handle_pte_fault: { args: entryArgs, result: int },
    do_no_page: { args: entryArgs, result: int },
    do_anonymous_page: { args: entryArgs, result: int },
    handle_mm_fault: { args: entryArgs, result: int },
  },
  retText: (name, v) => (typeof v === 'number' && name !== 'handle_pte_fault' ? faultName(v) : undefined),
};

export { VM_EXEC };
