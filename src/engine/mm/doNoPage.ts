// do_no_page() (2.5.70 mm/memory.c, reconstructed from 2.6.0; the -mm2 form from seed 004):
// entered with page_table_lock held, returns with it released.
// - no ->nopage: do_anonymous_page() with the lock still held;
// - 'page' form (2.5.70, truncate-seq): drop the lock, ->nopage (may sleep), pte_chain_alloc
//   (GFP_KERNEL, may sleep), early COW for a private write, re-take the lock and install the pte if it is still none. Under truncate-seq the
//   mapping's truncate_count is sampled before ->nopage and re-checked under the lock (retry).
// - 2.6.11 (the 'object' rmap rules): no pte_chain_alloc; anon_vma_prepare() before the early COW.
// - 'install' form (-mm2): drop the lock and return vma->vm_ops->nopage(mm, vma, address, write_access, pmd).

import { VM_FAULT_OOM, VM_FAULT_SIGBUS, VM_SHARED, VM_WRITE, faultName } from '../sim/constants';
import type { Step } from '../sim/step';
import type { Task } from '../sim/task';

import { doAnonymousPage } from './doAnonymousPage';
import { earlyCowBreak, setPteIfNone } from './installNewPage';
import type { MmStruct } from './mmStruct';
import { anonVmaPrepare, needsAnonVma } from './rmap';
import { hasNopage, NOPAGE_OOM, NOPAGE_SIGBUS } from './vmOps';
import type { Vma } from './vma';

export function* doNoPage(t: Task, mm: MmStruct, vma: Vma, address: number, write: boolean): Generator<Step, number, void> {
  const c = t.kernel.interp?.get('do_no_page');
  if (c) return yield* c(t, mm, vma, address, write ? VM_WRITE : 0);
  if (!hasNopage(vma.ops)) return yield* doAnonymousPage(t, mm, vma, address, write);
  t.enter('do_no_page');
  const k = t.kernel;
  const ptl = mm.pageTableLock;
  const ops = vma.ops!;
  if (ops.form === 'install') {
    if (t.spinUnlock(ptl)) yield t.step;
    // int (*nopage)(mm, vma, address, write_access, pmd)
    k.count('nopage calls');
    k.count('nopage args', 5);
    const r = yield* ops.nopageInstall!(t, mm, vma, address, write);
    k.lockdep.mustNotHold(t, ptl, `${ops.name} ->nopage returns with page_table_lock released`);
    t.exit('do_no_page', faultName(r));
    return r;
  }
  const mapping = vma.file ? vma.file.mapping(mm.node) : null;
  const seqCheck = k.fault.truncateSequence && mapping !== null;
  let sequence = 0;
  if (seqCheck) {
    // sampled before dropping page_table_lock (the 2.5.73-mm1 ordering)
    if (t.objRead(mapping.truncateCount.key, -1, 'sequence = atomic_read(&mapping->truncate_count)')) yield t.step;
    sequence = mapping.truncateCount.seq;
    t.sample(SEQ, sequence);
  }
  if (t.spinUnlock(ptl)) yield t.step;
  for (;;) {
    // struct page *(*nopage)(vma, address, unused)
    k.count('nopage calls');
    k.count('nopage args', 3);
    let newPage = yield* ops.nopagePage!(t, vma, address, 0);
    if (newPage === NOPAGE_SIGBUS) {
      t.forget(SEQ);
      t.exit('do_no_page', 'VM_FAULT_SIGBUS');
      return VM_FAULT_SIGBUS;
    }
    if (newPage === NOPAGE_OOM) {
      t.forget(SEQ);
      t.exit('do_no_page', 'VM_FAULT_OOM');
      return VM_FAULT_OOM;
    }
    // 2.5.70 / 2.6.0: "pte_chain = pte_chain_alloc(GFP_KERNEL);" before the early COW (the -mm2
    // patch moves it into install_new_page); 2.6.11 has no pte_chains
    if (!k.alloc.objectRmap && t.sleep('pte_chain_alloc(GFP_KERNEL)')) yield t.step;
    // should we do an early C-O-W break?
    if (write && !(vma.flags & VM_SHARED)) {
      // 2.6.11: "if (unlikely(anon_vma_prepare(vma))) goto oom;"
      if (needsAnonVma(k.alloc, vma)) yield* anonVmaPrepare(t, vma);
      const copy = yield* earlyCowBreak(t, newPage);
      if (copy === null) {
        t.forget(SEQ);
        t.exit('do_no_page', 'VM_FAULT_OOM');
        return VM_FAULT_OOM;
      }
      newPage = copy;
    }
    if (t.spinLock(ptl)) yield t.step;
    if (seqCheck) {
      if (t.objRead(mapping.truncateCount.key, -1, 'sequence != atomic_read(&mapping->truncate_count)')) yield t.step;
      const now = mapping.truncateCount.seq;
      if (now !== sequence) {
        // an invalidation ran while ->nopage slept: drop the page and retry
        if (t.tracing) t.emit('note', `truncate_count ${sequence} -> ${now}: retry ->nopage`);
        sequence = now;
        t.sample(SEQ, sequence);
        if (t.spinUnlock(ptl)) yield t.step;
        k.alloc.put(newPage);
        continue;
      }
    }
    t.forget(SEQ); // checked: no longer needed
    const r = yield* setPteIfNone(t, mm, vma, address, write, newPage);
    t.exit('do_no_page', faultName(r));
    return r;
  }
}

const SEQ = 'truncate_count';
