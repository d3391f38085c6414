// The variant catalogue. A variant is a named, documented set of rules that the kernel functions
// a patch changes consult while they run; outcomes come from running those rules, never from a
// table of expected answers. One static table per family (fault, gup, release, remap, mutation), typed by
// the rules of its family; VariantName is the union of the names, which the patch analyser's
// recognitions use.

import type { Kernel } from './kernel';

export interface Variant<R = unknown> {
  name: string;
  family: Family;
  description: string;
  /** the seed text it comes from, e.g. "004" */
  seed: string;
  /** the family's default when a selection leaves it out */
  base?: boolean;
  rules: R;
  /** kernel function -> the era and source file its code follows under this variant */
  eras?: Readonly<Record<string, string>>;
}

/** Rules of the fault path (seed 004 and its thread). */
export interface FaultRules {
  /**
   * Form of vm_operations_struct->nopage:
   * - 'page': struct page *(*nopage)(vma, address, int unused); do_no_page drops page_table_lock,
   *   calls it, and installs the pte itself.
   * - 'install': int (*nopage)(mm, vma, address, write_access, pmd) returning VM_FAULT_*;
   *   do_no_page drops page_table_lock; the hook calls install_new_page().
   * - 'install-hch': int (*nopage)(mm, vma, address, write_access, page_table, pmd); entered with
   *   page_table_lock held, each implementation must pte_unmap() and spin_unlock() it.
   */
  nopage: 'page' | 'install' | 'install-hch';
  /** do_anonymous_page() is an ordinary ->nopage; handle_pte_fault() and do_file_page() call
   * vma->vm_ops->nopage directly (the -mm3 patch) */
  anonymousIsNopage: boolean;
  /** the DFS ->nopage keeps its token across install_new_page() (possible once the hook installs) */
  dfsTokenAcrossInstall: boolean;
  /** do_no_page() samples mapping->truncate_count before ->nopage and, under page_table_lock
   * again, drops the page and retries if an invalidation ran meanwhile */
  truncateSequence: boolean;
  /**
   * How a write fault makes the new pte writable: 'pte_mkwrite' (2.5.70 and 2.6.0: whatever the
   * VMA says, so a forced get_user_pages() write leaves a writable pte in a read-only VMA) or
   * 'maybe_mkwrite' (2.6.11: only if the VMA has VM_WRITE).
   */
  mkwrite: 'pte_mkwrite' | 'maybe_mkwrite';
  /**
   * The reverse map and the mapping lock of the era (absent: 'pte_chain'):
   * - 'pte_chain' (2.5.70, 2.6.0): page_add_rmap() records each (mm, address) in the page's
   *   pte_chain; try_to_unmap() walks it with spin_trylock(&mm->page_table_lock); the VMA lists of
   *   a mapping are guarded by the semaphore mapping->i_shared_sem (down / up).
   * - 'object' (2.6.11): try_to_unmap() and page_referenced() walk page->mapping's i_mmap under the
   *   spinlock mapping->i_mmap_lock (file pages) or the page's anon_vma under anon_vma->lock
   *   (anonymous pages, PAGE_MAPPING_ANON), computing each VMA's address with vma_address() and
   *   taking page_table_lock with spin_lock(); anonymous VMAs get an anon_vma (anon_vma_prepare),
   *   linked by fork (anon_vma_link).
   */
  rmap?: 'pte_chain' | 'object';
}

/**
 * Deliberate breakages of kernel code (the 'mutation' family): each undoes one rule the kernel
 * relies on, so that a scenario or test can show the invariant that catches it. The base is 'none'.
 */
export interface MutationRules {
  /** add_to_page_cache() as two steps: look up, then insert without -EEXIST (the engine's old bug) */
  racyAddToPageCache: boolean;
  /** shrink_list() unlocks the page before try_to_unmap() */
  unlockBeforeTryToUnmap: boolean;
  /** the mmu_gather frees the pages of a zap before flushing the TLBs */
  freeBeforeFlush: boolean;
  /** move_one_page() moves a file pte without the mapping's lock (mremap before 2.6.10) */
  moveWithoutMappingLock: boolean;
  /** sys_munmap() holds mmap_sem only for read while do_munmap() detaches the VMAs and zaps them */
  munmapUnderReadLock: boolean;
}

/** Rules of remap_file_pages() and per-page protections (seed 002). */
export interface RemapRules {
  /** remap_file_pages() accepts prot != 0 with MAP_NOINHERIT and marks the VMA VM_NONUNIFORM */
  perPageProt: boolean;
  /** file ptes encode the protection, so it survives swap-out */
  protInFilePte: boolean;
  /** for VM_NONUNIFORM VMAs the fault path checks permissions only after reading the pte */
  checkAfterPte: boolean;
  /** mprotect() on a VM_NONUNIFORM range rewrites the per-page protections (ptes and file ptes) */
  mprotectCoherent: boolean;
}

/**
 * When a custom_page_walker_t is entered with mm->page_table_lock held (seed 001):
 * - 'unless-vma-err': seed 000 as posted: held whenever the vma is valid, also for an error page;
 *   a walker returning a negative value must drop it "if it is held" (it tells by IS_ERR(vma)).
 * - 'flag': option 1, an explicit argument says whether it is held.
 * - 'never': option 2, always unlocked before the walker is entered.
 * - 'unless-page-err': option 3 (the diff of seed 001), held unless IS_ERR(page); a walker that
 *   returns a negative value for a valid page must drop it.
 * - 'always': option 4, always held; the walker never sees an error, a separate cleanup function
 *   is entered without the lock instead.
 */
export type WalkerLock = 'unless-vma-err' | 'flag' | 'never' | 'unless-page-err' | 'always';

export interface GupRules {
  /** 'gup': 2.5.46 get_user_pages(tsk, mm, start, len, write, force, pages, vmas);
   * 'walk': the page-walk API (walk_user_pages, get_one_user_page, get_user_pages without vmas) */
  api: 'gup' | 'walk';
  walkerLock: WalkerLock;
  /** single_page_walk() returns an error page with page_table_lock already dropped */
  unlockOnErrorPage: boolean;
  /** follow_hugetlb_page() takes page_table_lock (seed 000, patch 02) */
  hugetlbLock: boolean;
  /** walk_user_pages() takes a cleanup function, entered without the lock on every error */
  cleaner: boolean;
}

/** Rules of the release of pages pinned by get_user_pages(). */
export interface ReleaseRules {
  /** get_user_pages() counts a pin apart from the reference it takes, put_user_page*() drops both,
   * and misuse of either release is visible (seed 003, steps 2 and 3) */
  pinsApart: boolean;
}

/** the rules of each family */
export interface FamilyRules {
  fault: FaultRules;
  gup: GupRules;
  release: ReleaseRules;
  remap: RemapRules;
  mutation: MutationRules;
}

export type Family = keyof FamilyRules;

/** catalogue entries both era tables take from 2.6.11 (spread where each table lists them, so key order stays) */
const PAGE_CACHE_2_6_11 = {
  page_cache_read: '2.6.11 mm/filemap.c (add_to_page_cache_lru; -EEXIST -> 0, the caller looks up again)',
  add_to_page_cache: '2.6.11 mm/filemap.c (radix_tree_insert under mapping->tree_lock, -EEXIST to the loser)',
} as const;
const RECLAIM_AND_HUGETLB_2_6_11 = {
  shrink_list: '2.6.11 mm/vmscan.c (TestSetPageLocked, page_referenced, try_to_unmap, page_count == 2)',
  tlb_finish_mmu: '2.6.11 include/asm-generic/tlb.h (flush, then free_pages_and_swap_cache)',
  hugetlbfs_file_mmap:
    '2.6.11 fs/hugetlbfs/inode.c (refuses private writable, unaligned offset, read-only beyond i_size; 2.5.70 and 2.6.0 check only the range; all three prefault)',
  hugetlb_prefault:
    '2.6.11 arch/i386/mm/hugetlbpage.c (find_get_page or alloc_huge_page + add_to_page_cache under page_table_lock; as 2.5.70)',
} as const;
const UNMAP_HUGEPAGE_RANGE_2_6_11 =
  '2.6.11 mm/hugetlb.c zap_hugepage_range + arch/i386/mm/hugetlbpage.c (page_table_lock, put_page per huge pte)';

/** what every fault-path variant shares: the kernel functions outside the patch's reach */
const ERAS_2_5_70 = {
  handle_mm_fault: '2.5.70 mm/memory.c (reconstructed from 2.6.0)',
  handle_pte_fault: '2.5.70 mm/memory.c (reconstructed from 2.6.0)',
  do_anonymous_page: '2.5.70 mm/memory.c (reconstructed from 2.6.0: pte_mkwrite)',
  do_wp_page: '2.5.70 mm/memory.c (reconstructed from 2.6.0: pte_mkwrite whatever VM_WRITE says)',
  do_swap_page: '2.5.70 mm/memory.c (reconstructed from 2.6.0)',
  invalidate_mmap_range: '2.5.70-mm mm/memory.c (zaps private COW copies too)',
  vmtruncate: '2.5.70 mm/memory.c (i_size_write, invalidate_mmap_range, truncate_inode_pages)',
  filemap_nopage: '2.6.11 mm/filemap.c without read-ahead (same retry_all / retry_find / page_not_uptodate structure as 2.5.70)',
  ...PAGE_CACHE_2_6_11,
  truncate_inode_pages: '2.6.11 mm/truncate.c (lock_page, truncate_complete_page: ClearPageUptodate, remove_from_page_cache)',
  page_add_rmap: '2.5.70 mm/rmap.c (pte_chains, PageDirect)',
  try_to_unmap: '2.6.0 mm/rmap.c (the pte_chain walk; try_to_unmap_one with spin_trylock(&mm->page_table_lock))',
  page_referenced: '2.6.11 mm/rmap.c over the pte_chains (spin_trylock of page_table_lock)',
  vma_link: '2.6.0 mm/mmap.c (down(&mapping->i_shared_sem); the page_table_lock it also takes is not modelled)',
  remove_shared_vm_struct: '2.6.0 mm/mmap.c (after unmap_region: down(&mapping->i_shared_sem))',
  copy_page_range: "2.6.11 mm/memory.c (the child's page_table_lock, then the parent's per pte table; 2.5 page_add_rmap)",
  dup_mmap: "2.6.11 kernel/fork.c (the share list under 2.5's i_shared_sem, no anon_vma)",
  move_one_page: "2.6.11 mm/mremap.c (mapping lock, then page_table_lock; here 2.5's i_shared_sem)",
  ...RECLAIM_AND_HUGETLB_2_6_11,
  hugetlb_vmtruncate:
    '2.6.11 fs/hugetlbfs/inode.c (no growing, zap_hugepage_range per mapping, truncate_hugepages; here under i_shared_sem as 2.6.0)',
  unmap_hugepage_range: UNMAP_HUGEPAGE_RANGE_2_6_11,
} as const;

/** the kernel functions of mainline 2.6.11 (the '2.6.11' fault variant) */
const ERAS_2_6_11 = {
  handle_mm_fault: '2.6.11 mm/memory.c',
  handle_pte_fault: '2.6.11 mm/memory.c',
  do_no_page:
    '2.6.11 mm/memory.c (truncate_count retry, sampled before page_table_lock is dropped as in truncate-seq where 2.6.11 samples just after; no pte_chain_alloc; anon_vma_prepare before the early COW; maybe_mkwrite)',
  do_anonymous_page: '2.6.11 mm/memory.c (anon_vma_prepare, page_add_anon_rmap, maybe_mkwrite)',
  do_wp_page: '2.6.11 mm/memory.c (anon_vma_prepare before the copy, maybe_mkwrite)',
  do_swap_page: '2.6.11 mm/memory.c (page_add_anon_rmap)',
  anon_vma_prepare: '2.6.11 mm/rmap.c (no find_mergeable_anon_vma: every anonymous VMA gets its own)',
  anon_vma_link: '2.6.11 mm/rmap.c',
  page_add_anon_rmap: '2.6.11 mm/rmap.c (page->mapping = anon_vma | PAGE_MAPPING_ANON, page->index = linear_page_index)',
  vma_link: '2.6.11 mm/mmap.c (spin_lock(&mapping->i_mmap_lock), __vma_link_file, __anon_vma_link)',
  remove_vm_struct: '2.6.11 mm/mmap.c (after unmap_region: i_mmap under i_mmap_lock, anon_vma_unlink)',
  unmap_mapping_range: '2.6.11 mm/memory.c (spin_lock(&mapping->i_mmap_lock), truncate_count++, even_cows from vmtruncate)',
  vmtruncate: '2.6.11 mm/memory.c (i_size_write, unmap_mapping_range, truncate_inode_pages)',
  filemap_nopage: '2.6.11 mm/filemap.c without read-ahead',
  ...PAGE_CACHE_2_6_11,
  truncate_inode_pages: '2.6.11 mm/truncate.c',
  copy_page_range: "2.6.11 mm/memory.c (the child's page_table_lock, then the parent's per pte table)",
  dup_mmap: '2.6.11 kernel/fork.c (anon_vma_link, vma_prio_tree_add under i_mmap_lock)',
  move_one_page: '2.6.11 mm/mremap.c (i_mmap_lock, then page_table_lock; spin_trylock after pte_alloc)',
  try_to_unmap:
    '2.6.11 mm/rmap.c (try_to_unmap_anon / try_to_unmap_file over i_mmap and i_mmap_nonlinear; try_to_unmap_one with spin_lock)',
  page_referenced: '2.6.11 mm/rmap.c (page_referenced_anon / page_referenced_file)',
  ...RECLAIM_AND_HUGETLB_2_6_11,
  hugetlb_vmtruncate:
    '2.6.11 fs/hugetlbfs/inode.c (no growing, zap_hugepage_range per mapping under spin_lock(&mapping->i_mmap_lock), truncate_hugepages)',
  unmap_hugepage_range: UNMAP_HUGEPAGE_RANGE_2_6_11,
} as const;

/** a catalogue entry: a variant without its name and family (the keys of the table say them) */
type Entry<R> = Omit<Variant<R>, 'name' | 'family'>;

const CATALOGUE = {
  fault: {
    '2.5.70': {
      seed: '004',
      base: true,
      description:
        'Linux 2.5.70 do_no_page(): drops page_table_lock, calls ->nopage(vma, address, unused) which may sleep and returns a referenced page, re-takes the lock and installs the pte if it is still none. Nothing stops an invalidation from running in between.',
      rules: { nopage: 'page', anonymousIsNopage: false, dfsTokenAcrossInstall: false, truncateSequence: false, mkwrite: 'pte_mkwrite' },
      eras: {
        ...ERAS_2_5_70,
        do_no_page:
          '2.5.70 mm/memory.c (reconstructed: 2.6.0 without truncate_count; pte_chain_alloc(GFP_KERNEL) after ->nopage, pte_mkwrite)',
      },
    },
    install_new_page: {
      seed: '004',
      description:
        "Paul McKenney's patch against 2.5.70-mm2: ->nopage(mm, vma, address, write_access, pmd) returns VM_FAULT_*, do_no_page drops page_table_lock before calling it and the hook installs the pte with install_new_page(), so a DFS can hold its token across the install.",
      rules: { nopage: 'install', anonymousIsNopage: false, dfsTokenAcrossInstall: true, truncateSequence: false, mkwrite: 'pte_mkwrite' },
      eras: {
        ...ERAS_2_5_70,
        do_no_page:
          '2.5.70-mm2 mm/memory.c + seed 004 patch (drops page_table_lock, returns ->nopage(mm, vma, address, write_access, pmd))',
        install_new_page: '2.5.70-mm2 mm/memory.c + seed 004 patch (pte_chain_alloc(GFP_KERNEL), early COW, pte_mkwrite)',
      },
    },
    'install_new_page-hch': {
      seed: '004',
      description:
        "The -mm3 version after Christoph Hellwig's and Andrew Morton's suggestion: ->nopage(mm, vma, address, write_access, page_table, pmd) is entered with page_table_lock held and each implementation pte_unmap()s and unlocks it; do_anonymous_page() becomes an ordinary ->nopage and handle_pte_fault() calls vma->vm_ops->nopage directly.",
      rules: {
        nopage: 'install-hch',
        anonymousIsNopage: true,
        dfsTokenAcrossInstall: true,
        truncateSequence: false,
        mkwrite: 'pte_mkwrite',
      },
      eras: {
        ...ERAS_2_5_70,
        handle_pte_fault: '2.5.70-mm3 mm/memory.c + seed 004 -mm3 patch (calls vma->vm_ops->nopage directly)',
        install_new_page: '2.5.70-mm3 mm/memory.c + seed 004 -mm3 patch (pte_chain_alloc(GFP_KERNEL), early COW, pte_mkwrite)',
      },
    },
    'truncate-seq': {
      seed: '004',
      description:
        "Andrea Arcangeli's fix from the thread (as merged by 2.6: mapping->truncate_count): invalidations bump a per-mapping sequence count; do_no_page() samples it before ->nopage and, with page_table_lock re-taken, drops the page and retries if it changed. ->nopage keeps the 2.5.70 form.",
      rules: { nopage: 'page', anonymousIsNopage: false, dfsTokenAcrossInstall: false, truncateSequence: true, mkwrite: 'pte_mkwrite' },
      eras: {
        ...ERAS_2_5_70,
        do_no_page: '2.6.0 mm/memory.c (truncate_count retry; pte_chain_alloc(GFP_KERNEL) after ->nopage, pte_mkwrite)',
        invalidate_mmap_range: '2.6.0 mm/memory.c (atomic_inc(&mapping->truncate_count))',
      },
    },
    '2.6.11': {
      seed: '004',
      description:
        "Mainline 2.6.11: do_no_page() with the truncate_count retry and maybe_mkwrite(), and 2.6's object-based reverse map: reclaim finds a page's mappings through page->mapping (i_mmap under mapping->i_mmap_lock for file pages, the anon_vma list under anon_vma->lock for anonymous ones) instead of pte_chains; the mapping's VMA lists are guarded by the spinlock i_mmap_lock instead of i_shared_sem.",
      rules: {
        nopage: 'page',
        anonymousIsNopage: false,
        dfsTokenAcrossInstall: false,
        truncateSequence: true,
        mkwrite: 'maybe_mkwrite',
        rmap: 'object',
      },
      eras: ERAS_2_6_11,
    },
  },
  remap: {
    '2.6.13': {
      seed: '002',
      base: true,
      description:
        'Mainline 2.6.13 sys_remap_file_pages(): prot must be 0 (else -EINVAL), the VMA becomes VM_NONLINEAR, file ptes carry only the file offset. A different protection per page needs one VMA per page (mprotect), bounded by sysctl_max_map_count.',
      rules: { perPageProt: false, protInFilePte: false, checkAfterPte: false, mprotectCoherent: false },
      eras: {
        sys_remap_file_pages: '2.6.13 mm/fremap.c',
        install_page: '2.6.13 mm/fremap.c',
        install_file_pte: '2.6.13 mm/fremap.c',
        filemap_populate: '2.6.11 mm/filemap.c (filemap_getpage)',
      },
    },
    nonuniform: {
      seed: '002',
      description:
        "Paolo Giarrusso's series (try 3): remap_file_pages(prot, MAP_NOINHERIT) sets per-page protections in one VMA marked VM_NONUNIFORM and VM_NONLINEAR; the protection is kept in the pte and in the file pte across swap-out, the fault path checks permissions after reading the pte (VM_FAULT_SIGSEGV), and mprotect() rewrites them coherently.",
      rules: { perPageProt: true, protInFilePte: true, checkAfterPte: true, mprotectCoherent: true },
      eras: {
        sys_remap_file_pages: '2.6.13 mm/fremap.c + seed 002 (MAP_NOINHERIT, VM_NONUNIFORM)',
        install_page: '2.6.13 mm/fremap.c + seed 002',
        install_file_pte: '2.6.13 mm/fremap.c + seed 002 (pgoff_prot_to_pte)',
        handle_pte_fault: '2.6.13 mm/memory.c + seed 002 (permission check after reading the pte)',
        do_no_page: "the fault variant's, + seed 002: maybe_mkwrite(pte_mkdirty(entry)) for VM_NONUNIFORM (2.6.13)",
        sys_mprotect: '2.6.13 mm/mprotect.c + seed 002',
      },
    },
  },
  gup: {
    'gup-2.5.46': {
      seed: '000',
      base: true,
      description:
        "Linux 2.5.46 get_user_pages(tsk, mm, start, len, write, force, pages, vmas): find_extend_vma() per VMA, refuses VM_IO or missing permission with the count so far (or -EFAULT), follow_hugetlb_page() without page_table_lock for hugetlb VMAs, else follow_page() under page_table_lock with the lock dropped around handle_mm_fault(); a reference on every page that is not PG_reserved. What it collected before an error is the caller's to release.",
      rules: { api: 'gup', walkerLock: 'unless-vma-err', unlockOnErrorPage: false, hugetlbLock: false, cleaner: false },
    },
    walk: {
      seed: '000',
      description:
        "Ingo Oeser's page-walk API as posted (page_walk_api-2.5.46-01..05): walk_user_pages() calls a custom_page_walker_t(vma, page, virt_addr, customdata) per page with page_table_lock held whenever the vma is valid (also for an error page); a walker returning a negative value drops the lock if it is held and cleans up what it collected. get_one_user_page() for one page, no vmas argument, follow_hugetlb_page() takes page_table_lock and, as posted, returns 0 both at the end of the VMA and when the walker is done, after which walk_user_pages() goes on. The four options of seed 001 keep this code and change only the lock rules.",
      rules: { api: 'walk', walkerLock: 'unless-vma-err', unlockOnErrorPage: false, hugetlbLock: true, cleaner: false },
    },
    'walk-opt1': {
      seed: '001',
      description:
        'Seed 001, option 1: an explicit argument tells the walker whether page_table_lock is held; the walker restores the state on its error path. Hugetlb pages need no lock at all.',
      rules: { api: 'walk', walkerLock: 'flag', unlockOnErrorPage: false, hugetlbLock: false, cleaner: false },
    },
    'walk-opt2': {
      seed: '001',
      description:
        'Seed 001, option 2: page_table_lock is always dropped before the walker is entered, so the collecting walker re-takes it for page_cache_get(): lock/follow_page/unlock/lock/page_cache_get/unlock for every page.',
      rules: { api: 'walk', walkerLock: 'never', unlockOnErrorPage: true, hugetlbLock: true, cleaner: false },
    },
    'walk-opt3': {
      seed: '001',
      description:
        'Seed 001, option 3 (the diff Ingo Oeser favoured): single_page_walk() drops page_table_lock whenever it returns an error page, so the walker holds the lock exactly when IS_ERR(page) is false; a walker that returns a negative value for a valid page drops it.',
      rules: { api: 'walk', walkerLock: 'unless-page-err', unlockOnErrorPage: true, hugetlbLock: true, cleaner: false },
    },
    'walk-opt4': {
      seed: '001',
      description:
        'Seed 001, option 4: walk_user_pages() takes an explicit cleanup function. The walker is always entered with page_table_lock held and never sees an error; on every error the lock is dropped and the cleanup function is entered with only the customdata. A walker may have none.',
      rules: { api: 'walk', walkerLock: 'always', unlockOnErrorPage: false, hugetlbLock: true, cleaner: true },
    },
  },
  release: {
    put_page: {
      seed: '003',
      base: true,
      description:
        'Before seed 003: get_user_pages() takes plain references and callers drop them with put_page() (after set_page_dirty() or set_page_dirty_lock() when the device wrote). put_user_page*() behave as the placeholders of the patch: they call put_page(). Nothing can tell a pin from any other reference.',
      rules: { pinsApart: false },
    },
    put_user_page: {
      seed: '003',
      description:
        'Seed 003 carried to its steps 2 and 3: pages pinned by get_user_pages() are released with put_user_page(), put_user_pages(), put_user_pages_dirty() or put_user_pages_dirty_lock(), and pins are counted apart from page references, so put_page() on a pinned page, put_user_page() on a page that is not pinned and a second release are caught where they happen.',
      rules: { pinsApart: true },
    },
  },
  mutation: {
    none: {
      seed: '-',
      base: true,
      description: 'The kernel code as the selected variants run it: no deliberate breakage (the base of the mutation family).',
      rules: {
        racyAddToPageCache: false,
        unlockBeforeTryToUnmap: false,
        freeBeforeFlush: false,
        moveWithoutMappingLock: false,
        munmapUnderReadLock: false,
      },
    },
    'racy-add_to_page_cache': {
      seed: '-',
      description:
        'add_to_page_cache() looks the slot up and inserts in two steps (lock_page in between) and overwrites a page another reader inserted meanwhile: two faulters of one uncached page both insert, the page cache loses one page and its reference leaks (ref-balance).',
      rules: {
        racyAddToPageCache: true,
        unlockBeforeTryToUnmap: false,
        freeBeforeFlush: false,
        moveWithoutMappingLock: false,
        munmapUnderReadLock: false,
      },
    },
    'unlock-before-try_to_unmap': {
      seed: '-',
      description:
        'shrink_list() drops the page lock before try_to_unmap(), which 2.6.11 requires to be called with the page locked (BUG_ON(!PageLocked(page))): the contract check names it (lock-not-held).',
      rules: {
        racyAddToPageCache: false,
        unlockBeforeTryToUnmap: true,
        freeBeforeFlush: false,
        moveWithoutMappingLock: false,
        munmapUnderReadLock: false,
      },
    },
    'free-before-flush': {
      seed: '-',
      description:
        'The mmu_gather frees the pages it gathered before flushing the TLBs (tlb_finish_mmu with the two steps swapped): a page is freed while another CPU can still reach it through its TLB (tlb-stale).',
      rules: {
        racyAddToPageCache: false,
        unlockBeforeTryToUnmap: false,
        freeBeforeFlush: true,
        moveWithoutMappingLock: false,
        munmapUnderReadLock: false,
      },
    },
    'mremap-without-mapping-lock': {
      seed: '-',
      description:
        "move_one_page() moves file ptes without the mapping lock (mremap before Rajesh Venkatasubramanian's fix): a truncate that has already passed the new VMA, or not seen it yet, misses the moved page, which stays mapped beyond EOF (stale-pte).",
      rules: {
        racyAddToPageCache: false,
        unlockBeforeTryToUnmap: false,
        freeBeforeFlush: false,
        moveWithoutMappingLock: true,
        munmapUnderReadLock: false,
      },
    },
    'munmap-under-read-mmap_sem': {
      seed: '-',
      description:
        "sys_munmap() takes mmap_sem for read instead of write (as if 4.20's downgrade to read came before detach_vmas_to_be_unmapped() instead of after), so a thread of the same process can be inside a fault while do_munmap() detaches and zaps the VMA: a fault that found the VMA before it went installs its pte after the zap, in a range no VMA covers (orphan-pte), and its access completes after munmap returned (sigsegv). The sigsegv check lets an access through a pte munmap has yet to zap pass only while mmap_sem is held for write, so under this mutation it flags those accesses too.",
      rules: {
        racyAddToPageCache: false,
        unlockBeforeTryToUnmap: false,
        freeBeforeFlush: false,
        moveWithoutMappingLock: false,
        munmapUnderReadLock: true,
      },
    },
  },
} as const satisfies { [F in Family]: Record<string, Entry<FamilyRules[F]>> };

/** the names of the variants of a family (of every family without an argument) */
export type VariantName<F extends Family = Family> = F extends Family ? keyof (typeof CATALOGUE)[F] & string : never;

/** the catalogue as the lookups see it: each family's table typed by its rules */
const TABLES: { readonly [F in Family]: Readonly<Record<string, Entry<FamilyRules[F]>>> } = CATALOGUE;
const FAMILIES = Object.keys(CATALOGUE) as Family[];

function entry<F extends Family>(family: F, name: string, e: Entry<FamilyRules[F]>): Variant<FamilyRules[F]> {
  return { name, family, ...e };
}

/** the variants of a family, in catalogue order */
export function variantsOf<F extends Family>(family: F): Variant<FamilyRules[F]>[] {
  const table = TABLES[family];
  return Object.entries(table).map(([name, e]) => entry(family, name, e));
}

export function getVariant<F extends Family>(family: F, name: string): Variant<FamilyRules[F]> | undefined {
  const table = TABLES[family];
  return Object.hasOwn(table, name) ? entry(family, name, table[name]) : undefined;
}

/** the base variant of each family, found once (every Machine asks for it) */
const bases = new Map<Family, Variant | undefined>();

export function baseVariant<F extends Family>(family: F): Variant<FamilyRules[F]> | undefined {
  if (!bases.has(family)) {
    const all = variantsOf(family);
    bases.set(family, all.find((v) => v.base) ?? all[0]);
  }
  return bases.get(family) as Variant<FamilyRules[F]> | undefined;
}

export interface VariantInfo {
  name: string;
  family: Family;
  description: string;
  seed: string;
  base: boolean;
  /** kernel function -> era and source file (what `mmx variants` lists) */
  eras: Record<string, string>;
}

export function listVariants(): VariantInfo[] {
  return FAMILIES.flatMap((f) =>
    variantsOf(f).map((v) => ({
      name: v.name,
      family: v.family,
      description: v.description,
      seed: v.seed,
      base: !!v.base,
      eras: { ...(v.eras ?? {}) },
    })),
  );
}

const GUP_FALLBACK: GupRules = { api: 'gup', walkerLock: 'unless-vma-err', unlockOnErrorPage: false, hugetlbLock: false, cleaner: false };

export function gupRules(k: Kernel): GupRules {
  return k.rules('gup') ?? GUP_FALLBACK;
}

/** the rules of a gup variant by name (a walker written against another option's contract) */
export function gupRulesByName(name: string): GupRules | undefined {
  return getVariant('gup', name)?.rules;
}

export function releaseRules(k: Kernel): ReleaseRules {
  return k.rules('release') ?? { pinsApart: false };
}
