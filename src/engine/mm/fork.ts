// fork()'s address-space copy: copy_mm() -> dup_mmap() (2.6.11 kernel/fork.c) -> copy_page_range()
// / copy_pte_range() / copy_one_pte() (2.6.11 mm/memory.c), with the engine's 2.5 rmap record
// (page_add_rmap per copied pte, as 2.5.70's copy_page_range did, where 2.6.11 has page_dup_rmap:
// the record is also page_mapcount). Under the 'object' rmap rules (2.6.11) anon_vma_link() and the
// i_mmap insertion take i_mmap_lock; under 2.5's, i_shared_sem.
// The parent's mmap_sem is held for write; the child's page_table_lock is taken first, then for
// each pte table the parent's (dst before src, the kernel's order). Private (COW) ptes are
// write-protected in both mms and the page is shared: the first write in either takes do_wp_page.

import { PAGE_SIZE, VM_HUGETLB, VM_MAYWRITE, VM_SHARED, VM_WRITE, hex } from '../sim/constants';
import type { Step } from '../sim/step';
import type { Task } from '../sim/task';

import { compoundHead, HPAGE_PAGES, HPAGE_SIZE } from './hugetlb';
import { MmStruct } from './mmStruct';
import { PTE_FILE, PTE_NONE, PTE_PRESENT, PTE_SWAP } from './pageTable';
import { anonVmaLink, pageAddRmap } from './rmap';
import { flushTlbRange } from './tlb';
import { Vma } from './vma';

/** span of one pte table (one pmd entry): copy_pte_range() works a table at a time */
const TABLE_SPAN = 512 * PAGE_SIZE;

/**
 * copy_mm(): a new mm named `name` for the child, filled by dup_mmap(). The child mm is visible in
 * the kernel from mm_alloc() on (the tree view shows it being built); the child's tasks start only
 * when fork returns. Returns 0 or -ENOMEM.
 */
export function* copyMm(t: Task, name: string): Generator<Step, number, void> {
  t.enter('copy_mm');
  const k = t.kernel;
  const oldmm = t.mm!;
  // allocate_mm(): kmem_cache_alloc(mm_cachep, SLAB_KERNEL)
  if (t.sleep('allocate_mm(SLAB_KERNEL)')) yield t.step;
  const mm = new MmStruct(name, oldmm.node, oldmm.maxMapCount);
  k.mms.set(name, mm);
  const r = yield* dupMmap(t, mm, oldmm);
  t.exit('copy_mm', String(r));
  return r;
}

/** dup_mmap(mm, oldmm) (2.6.11 kernel/fork.c) */
export function* dupMmap(t: Task, mm: MmStruct, oldmm: MmStruct): Generator<Step, number, void> {
  t.enter('dup_mmap');
  if (t.downWrite(oldmm.mmapSem)) yield t.step;
  let retval = 0;
  for (const mpnt of [...oldmm.vmas]) {
    // tmp = kmem_cache_alloc(vm_area_cachep, SLAB_KERNEL); *tmp = *mpnt;
    if (t.sleep('kmem_cache_alloc(vm_area_cachep, SLAB_KERNEL)')) yield t.step;
    const tmp = new Vma(mm, mpnt.start, mpnt.end, mpnt.flags, mpnt.pgoff, mpnt.file, mpnt.ops);
    tmp.privateData = mpnt.privateData;
    // anon_vma_link(tmp) (2.6.11): the child's VMA joins the parent's anon_vma, so reclaim finds the
    // shared anonymous pages in both mms
    if (mpnt.anonVma !== null) yield* anonVmaLink(t, tmp, mpnt.anonVma);
    if (tmp.file) {
      // insert tmp into the share list, just after mpnt (2.5: under i_shared_sem; 2.6.11:
      // vma_prio_tree_add under i_mmap_lock)
      const space = tmp.file.mapping(mm.node);
      const mlock = space.lock(t.kernel.alloc.objectRmap);
      if (t.acquire(mlock)) yield t.step;
      space.link(tmp);
      if (t.release(mlock)) yield t.step;
    }
    if (t.spinLock(mm.pageTableLock)) yield t.step;
    mm.vmas.insert(tmp);
    retval = yield* copyPageRange(t, mm, oldmm, tmp);
    if (t.spinUnlock(mm.pageTableLock)) yield t.step;
    if (retval) break;
  }
  // flush_tlb_mm(current->mm): the parent's write-protected ptes take effect on every CPU
  flushTlbRange(t, oldmm);
  if (t.upWrite(oldmm.mmapSem)) yield t.step;
  t.exit('dup_mmap', String(retval));
  return retval;
}

/**
 * copy_page_range(dst, src, vma) (2.6.11 mm/memory.c); dst->page_table_lock held. Each pte table:
 * pte_alloc_map() in dst (drops dst's lock to allocate), then under src's lock copy_one_pte().
 */
export function* copyPageRange(t: Task, dst: MmStruct, src: MmStruct, vma: Vma): Generator<Step, number, void> {
  t.enter('copy_page_range');
  if (vma.flags & VM_HUGETLB) {
    const r = yield* copyHugetlbPageRange(t, dst, src, vma);
    t.exit('copy_page_range', String(r));
    return r;
  }
  const cow = (vma.flags & (VM_SHARED | VM_MAYWRITE)) === VM_MAYWRITE;
  for (let addr = vma.start; addr < vma.end;) {
    const next = Math.min(vma.end, Math.floor(addr / TABLE_SPAN) * TABLE_SPAN + TABLE_SPAN);
    if (src.pt.hasTable(addr)) yield* copyPteRange(t, dst, src, vma, addr, next, cow);
    addr = next;
  }
  t.exit('copy_page_range', '0');
  return 0;
}

/** copy_pte_range(): one pte table; dst->page_table_lock held on entry and exit */
function* copyPteRange(
  t: Task,
  dst: MmStruct,
  src: MmStruct,
  vma: Vma,
  addr: number,
  end: number,
  cow: boolean,
): Generator<Step, void, void> {
  if (!dst.pt.hasTable(addr)) {
    // pte_alloc_map(): __pte_alloc drops page_table_lock around pte_alloc_one(GFP_KERNEL)
    if (t.spinUnlock(dst.pageTableLock)) yield t.step;
    if (t.sleep('pte_alloc_one(GFP_KERNEL)')) yield t.step;
    if (t.spinLock(dst.pageTableLock)) yield t.step;
    if (!dst.pt.hasTable(addr)) dst.pt.allocTable(addr);
  }
  if (t.spinLock(src.pageTableLock)) yield t.step;
  for (; addr < end; addr += PAGE_SIZE) {
    if (src.pt.kind(addr) === PTE_NONE) continue;
    if (t.pteWrite(src, addr, cow ? 'copy_one_pte: ptep_set_wrprotect' : 'copy_one_pte')) yield t.step;
    copyOnePte(t, dst, src, vma, addr, cow);
  }
  if (t.spinUnlock(src.pageTableLock)) yield t.step;
}

/** copy_one_pte(): both page_table_locks held */
function copyOnePte(t: Task, dst: MmStruct, src: MmStruct, vma: Vma, addr: number, cow: boolean): void {
  const k = t.kernel;
  const pte = src.pt.get(addr);
  if (pte === null) return;
  // pte contains position in swap (or a file offset), so copy
  if (pte.kind !== PTE_PRESENT) {
    if (pte.kind === PTE_SWAP) k.swap.dup(pte.val); // copy_swap_pte(): swap_duplicate()
    if (pte.kind === PTE_SWAP) dst.pt.setSwap(addr, pte.val, pte.protValid ? pte.prot : -1);
    else if (pte.kind === PTE_FILE) dst.pt.setFile(addr, pte.val, pte.protValid ? pte.prot : -1);
    return;
  }
  const page = k.alloc.byPfn(pte.val);
  let prot = pte.prot;
  if (!page || page.reserved) {
    // the zero page and reserved pages: duplicate the pte as is, no reference, no rss
    dst.pt.setPresent(addr, pte.val, prot, pte.dirty, false);
    return;
  }
  // a COW mapping: write protect it both in the parent and the child
  if (cow && prot & VM_WRITE) {
    prot &= ~VM_WRITE;
    src.pt.setProt(addr, prot);
  }
  // a shared mapping is marked clean in the child; every copy is old
  const dirty = vma.flags & VM_SHARED ? false : pte.dirty;
  k.alloc.get(page);
  dst.rss++;
  dst.pt.setPresent(addr, page.pfn, prot, dirty, false);
  pageAddRmap(page, dst, addr);
  if (t.tracing)
    t.emit('pte', `${dst.name} ${hex(addr)} -> pfn ${page.pfn} (shared with ${src.name}${cow ? ', write-protected in both' : ''})`);
}

/** copy_hugetlb_page_range() (2.6.11 mm/hugetlb.c): share the huge page, one reference per huge pte */
function* copyHugetlbPageRange(t: Task, dst: MmStruct, src: MmStruct, vma: Vma): Generator<Step, number, void> {
  const k = t.kernel;
  if (t.spinLock(src.pageTableLock)) yield t.step;
  for (let addr = vma.start; addr < vma.end; addr += HPAGE_SIZE) {
    if (src.pt.kind(addr) !== PTE_PRESENT) continue;
    if (t.pteRead(src, addr, 'copy_hugetlb_page_range')) yield t.step;
    const head = compoundHead(k.alloc.byPfn(src.pt.val(addr))!);
    k.alloc.get(head);
    head.mapcount++;
    for (let i = 0; i < HPAGE_PAGES; i++) {
      const a = addr + i * PAGE_SIZE;
      dst.pt.setPresent(a, src.pt.val(a), src.pt.prot(a), src.pt.get(a)!.dirty);
    }
    dst.rss += HPAGE_PAGES;
  }
  if (t.spinUnlock(src.pageTableLock)) yield t.step;
  return 0;
}

/**
 * The fork operation (do_fork() as far as the mm goes): copy_mm() into a child mm named `as`; the
 * tasks that name that mm start when it returns.
 */
export function* forkOp(t: Task, as: string): Generator<Step, { result: string }, void> {
  const k = t.kernel;
  if (!t.mm) return { result: `-EINVAL (fork: task ${t.name} has no mm)` };
  if (k.mms.has(as)) return { result: `-EINVAL (fork: an mm named '${as}' exists already)` };
  t.enter('do_fork');
  const r = yield* copyMm(t, as);
  const mm = k.mms.get(as)!;
  // the child's threads start running in the new mm
  for (const c of k.tasks) if (c.waitMm === as) c.attachMm(mm);
  t.exit('do_fork', r ? String(r) : as);
  return { result: r ? '-ENOMEM' : `mm ${as}` };
}
