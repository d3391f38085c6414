// "Where is do_no_page?" has one answer: the table derived from the engine's t.enter() calls
// (scripts/gen-kernel-functions.mjs). It fails when a kernel function has no entry or the table is
// stale, and it checks the naming rule of src/engine/mm.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { TABLE, renderTable, scanKernelFunctions } from '../../../scripts/gen-kernel-functions.mjs';
import { KERNEL_FUNCTIONS } from '../../../src/engine/index';

const root = join(__dirname, '../../..');

/** mm/ files named after a kernel structure, object or source file rather than a function they enter */
const KERNEL_NAMES: Record<string, string> = {
  addressSpace: 'struct address_space',
  errPtr: 'ERR_PTR (include/linux/err.h)',
  filemap: 'mm/filemap.c',
  findExtendVma: 'find_extend_vma()',
  fork: 'kernel/fork.c',
  fremap: 'mm/fremap.c',
  hugetlb: 'mm/hugetlb.c',
  madvise: 'mm/madvise.c',
  memMap: 'mem_map',
  mkPte: 'mk_pte()',
  mmStruct: 'struct mm_struct',
  mmap: 'mm/mmap.c',
  mprotect: 'mm/mprotect.c',
  mremap: 'mm/mremap.c',
  page: 'struct page',
  pageCache: 'the page cache (include/linux/pagemap.h)',
  pageTable: 'the page tables (pgd, pmd, pte)',
  pageWalk: 'struct page_walk',
  pageWalkers: 'custom_page_walker_t',
  pinnedPages: 'the pages get_user_pages() pinned',
  rmap: 'mm/rmap.c',
  setPageDirty: 'set_page_dirty()',
  swap: 'swap space (mm/swapfile.c)',
  swapOut: 'swap_out',
  tlb: 'the TLBs and the mmu_gather (include/asm-generic/tlb.h)',
  truncate: 'mm/truncate.c',
  vma: 'struct vm_area_struct',
  vmOps: 'struct vm_operations_struct',
  vmscan: 'mm/vmscan.c',
  writeback: 'mm/page-writeback.c',
  zap: 'zap_page_range()',
};

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

describe('kernel function -> file table', () => {
  const scanned = scanKernelFunctions(root);

  it('is derived from the code: the committed table is what the scan produces', () => {
    const committed = readFileSync(join(root, TABLE), 'utf8');
    expect(committed, `${TABLE} is stale: run node scripts/gen-kernel-functions.mjs`).toBe(renderTable(scanned));
  });

  it('has an entry for every t.enter() name, pointing at files that enter it', () => {
    expect(scanned.size).toBeGreaterThan(40);
    for (const [name, files] of scanned) {
      expect(KERNEL_FUNCTIONS[name as keyof typeof KERNEL_FUNCTIONS], name).toEqual(files);
      for (const f of files) expect(readFileSync(join(root, 'src/engine', f), 'utf8')).toMatch(new RegExp(`\\.enter\\([^)]*'${name}'`));
    }
  });

  it('answers "where is do_no_page?" with one file', () => {
    expect(KERNEL_FUNCTIONS.do_no_page).toEqual(['mm/doNoPage.ts']);
    expect(KERNEL_FUNCTIONS.handle_mm_fault).toEqual(['mm/handleMmFault.ts']);
  });

  it('names every mm/ file after a kernel function it enters, or a kernel structure or file', () => {
    const entered = new Map<string, string[]>();
    for (const [name, files] of scanned) for (const f of files) entered.set(f, [...(entered.get(f) ?? []), name]);
    const unnamed = readdirSync(join(root, 'src/engine/mm'))
      .map((f) => f.replace(/\.ts$/, ''))
      .filter((base) => !(entered.get(`mm/${base}.ts`) ?? []).some((n) => camel(n) === base) && !(base in KERNEL_NAMES));
    expect(unnamed).toEqual([]);
  });
});
