/**
 * MM engine: a variant-driven simulation of Linux memory management (2.5.46 - 2.6.13 era).
 * Pure TypeScript, no vscode or DOM.
 *
 * Entry points
 *   createMachine(world, variants, opts?)  -> EngineMachine (implements Machine of spec.ts)
 *     opts.trace: record trace events; opts.check: 'step' (default) checks step invariants after
 *     every step, 'end' only in finish(). EngineMachine.runAll(pick?) runs to the end; .kernel and
 *     .tasks give the live objects. snapshot().counters counts hook calls / arguments and faults.
 *     runOneStep(task) is the driver: perform the announced step, run to the next one; a task's
 *     operations run in order and each must return to user space with no lock held.
 *   listVariants()                          -> name, family, description, seed of each variant
 *   runDirect(world, variants)              -> runs every task to completion in order without the
 *     scheduler (same kernel functions, run as their plain-function twins where the solo build made
 *     them, solo.ts; used by bench/engine.ts)
 *
 * Kernel state (one concept per file)
 *   Kernel (kernel.ts): alloc: PageAllocator, files: Map<name, File>, mms: Map<name, MmStruct>,
 *     dfs: Dfs, swap: SwapSpace, lockdep, violations, trace, stepNo, tasks; fault: FaultRules and
 *     remap: RemapRules in force; rules<R>(family) for other families; pinBias (references one DMA
 *     pin adds to page->count, 0 unless a release variant sets it); recordViolation().
 *   MmStruct (mmStruct.ts): mmapSem (RwSemaphore), pageTableLock (Spinlock), pt: PageTable,
 *     vmas: VmaTree, rss, mapCount, maxMapCount, node, promisedProt (what remap_file_pages promised).
 *   Vma / VmaTree (vma.ts): start, end, flags (VM_* of constants.ts), pgoff, file, ops, privateData,
 *     pageProt (vm_page_prot); VmaTree.find(addr) = find_vma (treap, O(log n), mmap_cache),
 *     findPrev, insert, remove, iteration in address order, head/next/prev.
 *   mmap.ts: doMmapPgoff, doMunmap, splitVma, vmaMerge, insertVma, removeVma; mprotect.ts: sysMprotect.
 *   PageTable (pageTable.ts): sparse pgd (Map) -> pmd (array) -> pte table (typed arrays); kind(addr)
 *     PTE_NONE/PTE_PRESENT/PTE_SWAP/PTE_FILE, val(addr) (pfn, pgoff or swap slot), prot(addr), get(),
 *     setPresent/setSwap/setFile/clear/setDirty/setYoung/setProt, hasTable/allocTable, entries().
 *   Page / PageAllocator (page.ts): count, mapcount, pins, flags (PG_locked via page.lock, PG_dirty,
 *     PG_reserved, PG_lru, PG_compound/PG_tail with head, PG_swapcache, PG_uptodate, PG_anon),
 *     mapping (AddressSpace), index, version, userWrites; alloc() (null = OOM at the limit),
 *     get(page) = get_page, put(page) = put_page (frees at 0), zeroPage, byPfn(pfn).
 *   rmap.ts: pageAddRmap / pageRemoveRmap / pageMappers (2.5 pte_chains).
 *   File / AddressSpace (addressSpace.ts): File has size (i_size, pages), versions (backing store),
 *     iSem, mapping(node) -> AddressSpace (one per node for DFS files); AddressSpace has cache
 *     (index -> page), mappings / nonlinear (VMAs), iSharedSem, truncateCount (SeqCount).
 *   pageCache.ts: findGetPage, addToPageCache (under tree_lock, -EEXIST), pageCacheRead, filemapGetpage, removeFromPageCache,
 *     truncateInodePages. Dfs (dfs.ts): nodes, token(file, page) -> DfsTokenLock.
 *   Locks (locks.ts): Spinlock, RwSemaphore, PageLock, SeqCount, DfsTokenLock, all with holders;
 *     Lockdep (lockdep.ts): sleep-in-spinlock, abba, unlock-not-held (in Task.perform),
 *     mustNotHold/mustHold contract checks (lock-held-at-return / lock-not-held).
 *
 * Tasks and steps
 *   A kernel function is `function* f(t: Task, ...): Generator<Step, R, void>`; calls between kernel
 *   functions are `yield*`. Every interleaving point is `if (t.<announcement>) yield t.step;` where
 *   the announcement returns false when the task runs alone and performed the step inline; the Task
 *   (task.ts, the TaskContext) offers: acquire(lock, shared?) / release / tryAcquire (result in
 *   t.tryResult), spinLock/spinUnlock, downRead/upRead, downWrite/upWrite, lockPage/unlockPage,
 *   sleep(what) (may-sleep point; a label containing "alloc" also marks a page allocation),
 *   pteRead(mm, addr) / pteWrite(mm, addr), objRead / objWrite(key
 *   prefix, n, label) (n = -1: the prefix is the whole key). The driver performs lock actions when
 *   it resumes the task, so a task whose next step is an unavailable lock is not runnable.
 *   runDirect runs each task alone (Task.solo): it yields only on a lock another task holds.
 *   Also on Task: mm, node, kernel, heldLocks / locksHeldNames(), enter(fn) / exit(fn, ret?) (source
 *   hints), tracing (check it before building trace strings), emit(kind, detail), violation(name,
 *   msg), oops(msg) (a NULL dereference / BUG: the task is killed, its locks stay held), locals
 *   (per-task data kept across ops, e.g. pages collected by get_user_pages), minFlt / majFlt.
 *
 * Operations
 *   registerOp(name, impl) (ops.ts): impl(t, op, index) is a generator returning
 *   { result: string, signal? }. Register from a module imported in opModules.ts. Built in:
 *   mmap munmap mprotect read write exec touch truncate remote-write invalidate remap swap-out sleep.
 *   Fault path: handleMmFault(t, mm, vma, address, access) (handleMmFault.ts; access = VM_WRITE or 0,
 *   or seed 002's access mask) returns VM_FAULT_*; mmap_sem must be held for read.
 *   Also: userAccess / userAccessOp (doPageFault.ts: MMU walk + do_page_fault), zapPageRange (zap.ts), invalidateMmapRange /
 *   vmtruncate (truncate.ts), reclaimPage / tryToUnmap (swapOut.ts), sysRemapFilePages / installPage
 *   (fremap.ts), installNewPage (installNewPage.ts).
 *
 * Variants (variants.ts): registerVariant({ name, family, description, seed, base?, rules }); the
 *   kernel functions consult Kernel.fault (FaultRules) / Kernel.remap (RemapRules) / rules(family).
 *   fault: 2.5.70 (base), install_new_page, install_new_page-hch, truncate-seq;
 *   remap: 2.6.13 (base), nonuniform. gup and release families are registered by their modules:
 *   gup: gup-2.5.46 (base), walk, walk-opt1..walk-opt4 (gupVariants.ts: GupRules);
 *   release: put_page (base), put_user_page (ReleaseRules: pins counted apart, kernel.pinBias = 1).
 *
 * get_user_pages family
 *   getUserPages (2.5.46), walkUserPages / getOneUserPage / getUserPagesWalk (walkUserPages.ts) with
 *   the walkers of pageWalkers.ts and the walker lock contract of pageWalk.ts; followPage (2.5.46:
 *   a write lookup needs a writable dirty pte); followHugetlbPage.ts; hugetlb.ts (mmap flag VM_HUGETLB,
 *   2 MB aligned, prefaulted with compound pages; compoundHead). Ops gup / walk / get-one-page keep
 *   what they collect as a PageSet named by `as` (pinnedPages.ts: findPageSet(task, name)); dma-write
 *   (dmaWrite.ts), release (putUserPage.ts, setPageDirty.ts: set_page_dirty / _lock), writeback
 *   (writeback.ts) name them.
 *
 * Operations added with issue 14: fork (fork.ts: copy_mm/dup_mmap/copy_page_range; a task whose mm
 *   a fork creates waits for it), madvise MADV_DONTNEED (madvise.ts), mremap (mremap.ts), kswapd
 *   (vmscan.ts over swapOut.ts's shrink_list). Worlds with `cpus` get per-CPU TLBs (tlb.ts: TLB
 *   hits in user accesses, flush_tlb_*, the mmu_gather of zap_page_range). The 'mutation' family
 *   (variants.ts) breaks one kernel rule on purpose, to show what catches it.
 *
 * Invariants (invariants.ts), recorded as Violation.invariant: stale-pte, orphan-pte, ref-balance,
 *   pin-balance, freed-while-mapped, rss, sigsegv, unlock-not-held, lock-held-at-return,
 *   lock-not-held, sleep-in-spinlock, abba, oops, deadlock, fault-loop, engine-error, no-progress; from the gup
 *   family: use-after-free, buffer-overflow, put_page-on-pinned, put_user_page-not-pinned, double-release,
 *   dirty-after-writeback, dma-data-lost, dma-after-release, dma-into-read-pin; tlb-stale (tlb.ts,
 *   at __free_pages).
 */

export { createMachine, EngineMachine, runOneStep, describeOp, type MachineOptions } from './machine';
export { runDirect } from './direct';
export { listVariants, registerVariant, getVariant, variantsOf, type Variant, type VariantInfo, type Family, type FaultRules, type RemapRules } from './variants';
export { registerOp, getOp, registeredOps, type OpImpl, type OpOutcome } from './ops';
export { Kernel } from './kernel';
export { Task, Oops } from './task';
export { Step, StepKind } from './step';
export * from './constants';
export type * from './spec';
