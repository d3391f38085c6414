// The variant catalogue. A variant is a named, documented set of rules that the kernel functions
// a patch changes consult while they run; outcomes come from running those rules, never from a
// table of expected answers. Families: fault, gup, release, remap. Modules that implement a
// family register their variants with registerVariant().

export type Family = 'fault' | 'gup' | 'release' | 'remap';

export interface Variant<R = unknown> {
  name: string;
  family: Family;
  description: string;
  /** the seed text it comes from, e.g. "004" */
  seed: string;
  /** the family's default when a selection leaves it out */
  base?: boolean;
  rules: R;
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
}

export function listVariants(): VariantInfo[] {
  return [...catalogue.values()].map((v) => ({ name: v.name, family: v.family, description: v.description, seed: v.seed, base: !!v.base }));
}

// ---- fault path (seed 004) ----

registerVariant<FaultRules>({
  name: '2.5.70',
  family: 'fault',
  seed: '004',
  base: true,
  description:
    'Linux 2.5.70 do_no_page(): drops page_table_lock, calls ->nopage(vma, address, unused) which may sleep and returns a referenced page, re-takes the lock and installs the pte if it is still none. Nothing stops an invalidation from running in between.',
  rules: { nopage: 'page', anonymousIsNopage: false, dfsTokenAcrossInstall: false, truncateSequence: false },
});

registerVariant<FaultRules>({
  name: 'install_new_page',
  family: 'fault',
  seed: '004',
  description:
    'Paul McKenney\'s patch against 2.5.70-mm2: ->nopage(mm, vma, address, write_access, pmd) returns VM_FAULT_*, do_no_page drops page_table_lock before calling it and the hook installs the pte with install_new_page(), so a DFS can hold its token across the install.',
  rules: { nopage: 'install', anonymousIsNopage: false, dfsTokenAcrossInstall: true, truncateSequence: false },
});

registerVariant<FaultRules>({
  name: 'install_new_page-hch',
  family: 'fault',
  seed: '004',
  description:
    'The -mm3 version after Christoph Hellwig\'s and Andrew Morton\'s suggestion: ->nopage(mm, vma, address, write_access, page_table, pmd) is entered with page_table_lock held and each implementation pte_unmap()s and unlocks it; do_anonymous_page() becomes an ordinary ->nopage and handle_pte_fault() calls vma->vm_ops->nopage directly.',
  rules: { nopage: 'install-hch', anonymousIsNopage: true, dfsTokenAcrossInstall: true, truncateSequence: false },
});

registerVariant<FaultRules>({
  name: 'truncate-seq',
  family: 'fault',
  seed: '004',
  description:
    'Andrea Arcangeli\'s fix from the thread (as merged by 2.6: mapping->truncate_count): invalidations bump a per-mapping sequence count; do_no_page() samples it before ->nopage and, with page_table_lock re-taken, drops the page and retries if it changed. ->nopage keeps the 2.5.70 form.',
  rules: { nopage: 'page', anonymousIsNopage: false, dfsTokenAcrossInstall: false, truncateSequence: true },
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
});

registerVariant<RemapRules>({
  name: 'nonuniform',
  family: 'remap',
  seed: '002',
  description:
    'Paolo Giarrusso\'s series (try 3): remap_file_pages(prot, MAP_NOINHERIT) sets per-page protections in one VMA marked VM_NONUNIFORM and VM_NONLINEAR; the protection is kept in the pte and in the file pte across swap-out, the fault path checks permissions after reading the pte (VM_FAULT_SIGSEGV), and mprotect() rewrites them coherently.',
  rules: { perPageProt: true, protInFilePte: true, checkAfterPte: true, mprotectCoherent: true },
});
