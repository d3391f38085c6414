// The variant catalogue. A variant is a named, documented set of rules that the kernel functions
// a patch changes consult while they run; outcomes come from running those rules, never from a
// table of expected answers. Families: fault, gup, release, remap. Modules that implement a
// family register their variants with registerVariant().

export type Family = 'fault' | 'gup' | 'release' | 'remap' | 'mutation';

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
  eras?: Record<string, string>;
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

const catalogue = new Map<string, Variant>();

function key(family: string, name: string): string {
  return family + '\u0000' + name;
}

export function registerVariant<R>(v: Variant<R>): void {
  catalogue.set(key(v.family, v.name), v as Variant);
}

export function getVariant(family: Family, name: string): Variant | undefined {
  return catalogue.get(key(family, name));
}

export function variantsOf(family: Family): Variant[] {
  return [...catalogue.values()].filter((v) => v.family === family);
}

export function baseVariant(family: Family): Variant | undefined {
  return variantsOf(family).find((v) => v.base) ?? variantsOf(family)[0];
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
  return [...catalogue.values()].map((v) => ({ name: v.name, family: v.family, description: v.description, seed: v.seed, base: !!v.base, eras: { ...(v.eras ?? {}) } }));
}

// ---- fault path (seed 004) ----

/** what every fault-path variant shares: the kernel functions outside the patch's reach */
const ERAS_2_5_70: Record<string, string> = {
  handle_mm_fault: '2.5.70 mm/memory.c (reconstructed from 2.6.0)',
  handle_pte_fault: '2.5.70 mm/memory.c (reconstructed from 2.6.0)',
  do_anonymous_page: '2.5.70 mm/memory.c (reconstructed from 2.6.0: pte_mkwrite)',
  do_wp_page: '2.5.70 mm/memory.c (reconstructed from 2.6.0: pte_mkwrite whatever VM_WRITE says)',
  do_swap_page: '2.5.70 mm/memory.c (reconstructed from 2.6.0)',
  invalidate_mmap_range: '2.5.70-mm mm/memory.c (zaps private COW copies too)',
  vmtruncate: '2.5.70 mm/memory.c (i_size_write, invalidate_mmap_range, truncate_inode_pages)',
  filemap_nopage: '2.6.11 mm/filemap.c without read-ahead (same retry_all / retry_find / page_not_uptodate structure as 2.5.70)',
  page_cache_read: '2.6.11 mm/filemap.c (add_to_page_cache_lru; -EEXIST -> 0, the caller looks up again)',
  add_to_page_cache: '2.6.11 mm/filemap.c (radix_tree_insert under mapping->tree_lock, -EEXIST to the loser)',
  truncate_inode_pages: '2.6.11 mm/truncate.c (lock_page, truncate_complete_page: ClearPageUptodate, remove_from_page_cache)',
  page_add_rmap: '2.5.70 mm/rmap.c (pte_chains, PageDirect)',
};

registerVariant<FaultRules>({
  name: '2.5.70',
  family: 'fault',
  seed: '004',
  base: true,
  description:
    'Linux 2.5.70 do_no_page(): drops page_table_lock, calls ->nopage(vma, address, unused) which may sleep and returns a referenced page, re-takes the lock and installs the pte if it is still none. Nothing stops an invalidation from running in between.',
  rules: { nopage: 'page', anonymousIsNopage: false, dfsTokenAcrossInstall: false, truncateSequence: false, mkwrite: 'pte_mkwrite' },
  eras: {
    ...ERAS_2_5_70,
    do_no_page: '2.5.70 mm/memory.c (reconstructed: 2.6.0 without truncate_count; pte_chain_alloc(GFP_KERNEL) after ->nopage, pte_mkwrite)',
  },
});

registerVariant<FaultRules>({
  name: 'install_new_page',
  family: 'fault',
  seed: '004',
  description:
    'Paul McKenney\'s patch against 2.5.70-mm2: ->nopage(mm, vma, address, write_access, pmd) returns VM_FAULT_*, do_no_page drops page_table_lock before calling it and the hook installs the pte with install_new_page(), so a DFS can hold its token across the install.',
  rules: { nopage: 'install', anonymousIsNopage: false, dfsTokenAcrossInstall: true, truncateSequence: false, mkwrite: 'pte_mkwrite' },
  eras: {
    ...ERAS_2_5_70,
    do_no_page: '2.5.70-mm2 mm/memory.c + seed 004 patch (drops page_table_lock, returns ->nopage(mm, vma, address, write_access, pmd))',
    install_new_page: '2.5.70-mm2 mm/memory.c + seed 004 patch (pte_chain_alloc(GFP_KERNEL), early COW, pte_mkwrite)',
  },
});

registerVariant<FaultRules>({
  name: 'install_new_page-hch',
  family: 'fault',
  seed: '004',
  description:
    'The -mm3 version after Christoph Hellwig\'s and Andrew Morton\'s suggestion: ->nopage(mm, vma, address, write_access, page_table, pmd) is entered with page_table_lock held and each implementation pte_unmap()s and unlocks it; do_anonymous_page() becomes an ordinary ->nopage and handle_pte_fault() calls vma->vm_ops->nopage directly.',
  rules: { nopage: 'install-hch', anonymousIsNopage: true, dfsTokenAcrossInstall: true, truncateSequence: false, mkwrite: 'pte_mkwrite' },
  eras: {
    ...ERAS_2_5_70,
    handle_pte_fault: '2.5.70-mm3 mm/memory.c + seed 004 -mm3 patch (calls vma->vm_ops->nopage directly)',
    install_new_page: '2.5.70-mm3 mm/memory.c + seed 004 -mm3 patch (pte_chain_alloc(GFP_KERNEL), early COW, pte_mkwrite)',
  },
});

registerVariant<FaultRules>({
  name: 'truncate-seq',
  family: 'fault',
  seed: '004',
  description:
    'Andrea Arcangeli\'s fix from the thread (as merged by 2.6: mapping->truncate_count): invalidations bump a per-mapping sequence count; do_no_page() samples it before ->nopage and, with page_table_lock re-taken, drops the page and retries if it changed. ->nopage keeps the 2.5.70 form.',
  rules: { nopage: 'page', anonymousIsNopage: false, dfsTokenAcrossInstall: false, truncateSequence: true, mkwrite: 'pte_mkwrite' },
  eras: {
    ...ERAS_2_5_70,
    do_no_page: '2.6.0 mm/memory.c (truncate_count retry; pte_chain_alloc(GFP_KERNEL) after ->nopage, pte_mkwrite)',
    invalidate_mmap_range: '2.6.0 mm/memory.c (atomic_inc(&mapping->truncate_count))',
  },
});

// ---- remap_file_pages (seed 002) ----

registerVariant<RemapRules>({
  name: '2.6.13',
  family: 'remap',
  seed: '002',
  base: true,
  description:
    'Mainline 2.6.13 sys_remap_file_pages(): prot must be 0 (else -EINVAL), the VMA becomes VM_NONLINEAR, file ptes carry only the file offset. A different protection per page needs one VMA per page (mprotect), bounded by sysctl_max_map_count.',
  rules: { perPageProt: false, protInFilePte: false, checkAfterPte: false, mprotectCoherent: false },
  eras: { sys_remap_file_pages: '2.6.13 mm/fremap.c', install_page: '2.6.13 mm/fremap.c', install_file_pte: '2.6.13 mm/fremap.c', filemap_populate: '2.6.11 mm/filemap.c (filemap_getpage)' },
});

registerVariant<RemapRules>({
  name: 'nonuniform',
  family: 'remap',
  seed: '002',
  description:
    'Paolo Giarrusso\'s series (try 3): remap_file_pages(prot, MAP_NOINHERIT) sets per-page protections in one VMA marked VM_NONUNIFORM and VM_NONLINEAR; the protection is kept in the pte and in the file pte across swap-out, the fault path checks permissions after reading the pte (VM_FAULT_SIGSEGV), and mprotect() rewrites them coherently.',
  rules: { perPageProt: true, protInFilePte: true, checkAfterPte: true, mprotectCoherent: true },
  eras: {
    sys_remap_file_pages: '2.6.13 mm/fremap.c + seed 002 (MAP_NOINHERIT, VM_NONUNIFORM)',
    install_page: '2.6.13 mm/fremap.c + seed 002',
    install_file_pte: '2.6.13 mm/fremap.c + seed 002 (pgoff_prot_to_pte)',
    handle_pte_fault: '2.6.13 mm/memory.c + seed 002 (permission check after reading the pte)',
    do_no_page: 'the fault variant\'s, + seed 002: maybe_mkwrite(pte_mkdirty(entry)) for VM_NONUNIFORM (2.6.13)',
    sys_mprotect: '2.6.13 mm/mprotect.c + seed 002',
  },
});

// ---- mutations: deliberate breakages, for showing what an invariant catches ----

registerVariant<MutationRules>({
  name: 'none',
  family: 'mutation',
  seed: '-',
  base: true,
  description: 'The kernel code as the selected variants run it: no deliberate breakage (the base of the mutation family).',
  rules: { racyAddToPageCache: false, unlockBeforeTryToUnmap: false, freeBeforeFlush: false, moveWithoutMappingLock: false },
});

registerVariant<MutationRules>({
  name: 'racy-add_to_page_cache',
  family: 'mutation',
  seed: '-',
  description:
    'add_to_page_cache() looks the slot up and inserts in two steps (lock_page in between) and overwrites a page another reader inserted meanwhile: two faulters of one uncached page both insert, the page cache loses one page and its reference leaks (ref-balance).',
  rules: { racyAddToPageCache: true, unlockBeforeTryToUnmap: false, freeBeforeFlush: false, moveWithoutMappingLock: false },
});

registerVariant<MutationRules>({
  name: 'unlock-before-try_to_unmap',
  family: 'mutation',
  seed: '-',
  description:
    'shrink_list() drops the page lock before try_to_unmap(): a fault that finds the page in the page cache maps it again while reclaim frees it (freed-while-mapped / ref-balance).',
  rules: { racyAddToPageCache: false, unlockBeforeTryToUnmap: true, freeBeforeFlush: false, moveWithoutMappingLock: false },
});

registerVariant<MutationRules>({
  name: 'free-before-flush',
  family: 'mutation',
  seed: '-',
  description:
    'The mmu_gather frees the pages it gathered before flushing the TLBs (tlb_finish_mmu with the two steps swapped): another CPU can still reach a freed page through its TLB (tlb-stale).',
  rules: { racyAddToPageCache: false, unlockBeforeTryToUnmap: false, freeBeforeFlush: true, moveWithoutMappingLock: false },
});

registerVariant<MutationRules>({
  name: 'mremap-without-mapping-lock',
  family: 'mutation',
  seed: '-',
  description:
    'move_one_page() moves file ptes without the mapping lock (mremap before Rajesh Venkatasubramanian\'s fix): a truncate that has already passed the new VMA, or not seen it yet, misses the moved page, which stays mapped beyond EOF (stale-pte).',
  rules: { racyAddToPageCache: false, unlockBeforeTryToUnmap: false, freeBeforeFlush: false, moveWithoutMappingLock: true },
});
