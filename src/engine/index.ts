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
 *     scheduler (same kernel functions; a lone task performs its steps inline; used by bench/engine.ts)
 *
 * Layout (one concept a file; imports between the folders follow ENGINE_EDGES of
 *   scripts/lint-architecture.mjs, checked by npm run lint, and no runtime import cycle)
 *   sim/      the simulator's runtime: Machine and runDirect, Task and Step, locks and lockdep,
 *             Kernel (the world's objects and the variant rules in force), the op table (ops.ts
 *             over userOps.ts and gupOps.ts), the variant catalogue (variants.ts), invariants,
 *             trace, snapshot, state hash, the spec types and the kernel's constants.
 *   mm/       the kernel's MM code, flat like Linux's mm/. Naming rule: a file is named, in
 *             camelCase, after the kernel function it models (doNoPage.ts = do_no_page()) or the
 *             kernel structure or source file it models (mmStruct.ts = struct mm_struct,
 *             filemap.ts = mm/filemap.c); test/unit/engine/kernelFunctions.test.ts checks it.
 *   fs/       model filesystems: the DFS (dfs.ts, its ->nopage in dfsFs.ts), shmem, and which
 *             vm_operations a file mapping gets (fsOps.ts).
 *   drivers/  model devices: shmiq and sg ->nopage (devices.ts), a DFS peer's write
 *             (remoteWrite.ts), a device writing into pinned pages (dmaWrite.ts).
 *   Where a kernel function is: KERNEL_FUNCTIONS (kernelFunctions.generated.ts, derived from the
 *   t.enter() calls by scripts/gen-kernel-functions.mjs), e.g. do_no_page -> mm/doNoPage.ts.
 *
 * Kernel state
 *   Kernel: alloc: PageAllocator, files: Map<name, File>, mms: Map<name, MmStruct>, dfs, swap,
 *     lockdep, violations, trace, stepNo, tasks; fault: FaultRules and remap: RemapRules in force;
 *     rules(family) for the others; pinBias (references one DMA pin adds to page->count, 0 unless a
 *     release variant sets it); recordViolation().
 *   MmStruct: mmapSem (RwSemaphore), pageTableLock (Spinlock), pt: PageTable, vmas: VmaTree, rss,
 *     mapCount, maxMapCount, node, promisedProt (what remap_file_pages promised).
 *   Vma / VmaTree: start, end, flags (VM_*), pgoff, file, ops, privateData, pageProt (vm_page_prot);
 *     VmaTree.find(addr) = find_vma (treap, O(log n), mmap_cache), findPrev, insert, remove.
 *   PageTable: sparse pgd (Map) -> pmd (array) -> pte table (typed arrays); kind(addr)
 *     PTE_NONE/PTE_PRESENT/PTE_SWAP/PTE_FILE, val(addr) (pfn, pgoff or swap slot), prot(addr).
 *   Page / PageAllocator: count, mapcount, pins, flags (PG_*), mapping, index; the fields live in
 *     typed arrays (mem_map); alloc() (null = OOM at the limit), get = get_page, put = put_page.
 *   File / AddressSpace: i_size, backing store versions, iSem, mapping(node) (one per node for DFS
 *     files); cache (index -> page), mappings / nonlinear VMAs, iSharedSem, truncateCount.
 *   Locks: Spinlock, RwSemaphore, PageLock, SeqCount, DfsTokenLock, with holders; Lockdep:
 *     sleep-in-spinlock, abba, unlock-not-held, lock contract checks.
 *
 * Tasks and steps
 *   A kernel function is `function* f(t: Task, ...): Generator<Step, R, void>`; calls between kernel
 *   functions are `yield*`. Every interleaving point is `if (t.<announcement>) yield t.step;` where
 *   the announcement returns false when the task runs alone (Task.alone, runDirect) and performed
 *   the step inline. Announcements: acquire(lock, shared?) / release / tryAcquire (result in
 *   t.tryResult), spinLock/spinUnlock, downRead/upRead, downWrite/upWrite, lockPage/unlockPage,
 *   sleep(what) (may-sleep point), pteRead(mm, addr) / pteWrite(mm, addr), objRead / objWrite(key
 *   prefix, n, label). The driver performs lock actions when it resumes the task, so a task whose
 *   next step is an unavailable lock is not runnable. Also on Task: enter(fn) / exit(fn, ret?)
 *   (source hints, and the KERNEL_FUNCTIONS table), tracing, emit(kind, detail),
 *   violation(name, msg), oops(msg) (the task is killed, its locks stay held), locals, minFlt / majFlt.
 *
 * Operations: OPS, a static table keyed by OpSpec['op'] (an operation without an implementation
 *   does not compile); an implementation is a generator (t, op, index) returning { result, signal? }.
 *   MachineOptions.extraOps adds operations outside the spec (tests of deliberately buggy code).
 *   Fault path: handleMmFault(t, mm, vma, address, access) returns VM_FAULT_*; mmap_sem held for read.
 *
 * Variants: one static catalogue per family typed by its rules (FaultRules, GupRules, ReleaseRules,
 *   RemapRules); VariantName<F> is the union of the names. The kernel functions consult
 *   Kernel.fault / Kernel.remap / rules(family). MachineOptions.extraVariants adds rule sets no
 *   patch proposed (tests).
 *
 * Operations added with issue 14: fork (mm/fork.ts: copy_mm, dup_mmap, copy_page_range; a task
 *   whose mm a fork creates waits for it), madvise MADV_DONTNEED (mm/madvise.ts), mremap
 *   (mm/mremap.ts), kswapd (mm/vmscan.ts over mm/swapOut.ts's shrink_list). Worlds with `cpus` get
 *   per-CPU TLBs (mm/tlb.ts: TLB hits in user accesses, flush_tlb_*, the mmu_gather of
 *   zap_page_range). The 'mutation' family (sim/variants.ts) breaks one kernel rule on purpose, to
 *   show what catches it.
 *
 * Invariants, recorded as Violation.invariant: stale-pte, orphan-pte, ref-balance,
 *   pin-balance, freed-while-mapped, rss, sigsegv, unlock-not-held, lock-held-at-return,
 *   lock-not-held, sleep-in-spinlock, abba, oops, deadlock, fault-loop, engine-error, no-progress; from the gup
 *   family: use-after-free, buffer-overflow, put_page-on-pinned, put_user_page-not-pinned, double-release,
 *   dirty-after-writeback, dma-data-lost, dma-after-release, dma-into-read-pin; tlb-stale (tlb.ts,
 *   at __free_pages).
 */

export { createMachine, EngineMachine, runOneStep, describeOp, type MachineOptions } from './sim/machine';
export type { KernelOptions } from './sim/kernel';
export { runDirect } from './sim/direct';
export {
  listVariants,
  getVariant,
  variantsOf,
  type Variant,
  type VariantInfo,
  type VariantName,
  type Family,
  type FamilyRules,
  type FaultRules,
  type GupRules,
  type MutationRules,
  type ReleaseRules,
  type RemapRules,
} from './sim/variants';
export { OPS, opNames, type OpImpl, type OpName, type OpOf, type OpOutcome, type ExtraOp } from './sim/ops';
export { Kernel } from './sim/kernel';
export { HPAGE_PAGES, HPAGE_SIZE } from './mm/hugetlb';
export {
  INVARIANTS,
  INVARIANT_NAMES,
  isInvariantName,
  LOCK_CLASSES,
  lockClassOf,
  lockLabels,
  parseLockLabel,
  type InvariantName,
  type LockClass,
} from './sim/catalogue';
export { Task, Oops } from './sim/task';
export { Step, StepKind } from './sim/step';
export * from './sim/constants';
export type * from './sim/spec';
export { KERNEL_FUNCTIONS, type KernelFunction } from './kernelFunctions.generated';
