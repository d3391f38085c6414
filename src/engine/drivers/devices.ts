// Driver VMAs from the files seed 004 converts, to show what each ->nopage form does to them:
// - 'shmiq' (drivers/sgi/char/shmiq.c): refuses every fault. In the -mm3 patch it returns
//   VM_FAULT_SIGBUS without dropping page_table_lock.
// - 'sg' (drivers/scsi/sg.c): maps its reserve buffer; beyond it the install_new_page versions pass
//   "struct page *page = VM_FAULT_SIGBUS" (NULL) on to install_new_page().
// - 'anon' (af_packet.c, zftape): no ->nopage in 2.5.70; -mm3 sets .nopage = do_anonymous_page.

import { doAnonymousPage } from '../mm/doAnonymousPage';
import { installNewPage } from '../mm/installNewPage';
import type { MmStruct } from '../mm/mmStruct';
import { PG_reserved, type Page } from '../mm/page';
import type { VmOperations, NopageResult } from '../mm/vmOps';
import { NOPAGE_SIGBUS, vmOpsByForm } from '../mm/vmOps';
import type { Vma } from '../mm/vma';
import { PAGE_SIZE, VM_FAULT_SIGBUS } from '../sim/constants';
import type { Kernel } from '../sim/kernel';
import type { Step } from '../sim/step';
import type { Task } from '../sim/task';

export interface SgReserve {
  pages: Page[];
}

// ---- shmiq ----
function* shmiqNopage(t: Task): Generator<Step, NopageResult, void> {
  t.enter('shmiq_nopage');
  t.exit('shmiq_nopage', 'NULL');
  return NOPAGE_SIGBUS; // "Do not allow for mremap to expand us"
}
function* shmiqNopageInstall(t: Task): Generator<Step, number, void> {
  t.enter('shmiq_nopage');
  t.exit('shmiq_nopage', 'VM_FAULT_SIGBUS');
  return VM_FAULT_SIGBUS;
}
/** -mm3: returns without pte_unmap()/spin_unlock(), as posted */
function* shmiqNopageHch(t: Task): Generator<Step, number, void> {
  t.enter('shmiq_nopage');
  t.exit('shmiq_nopage', 'VM_FAULT_SIGBUS');
  return VM_FAULT_SIGBUS;
}

// ---- sg ----
function sgPage(vma: Vma, addr: number): Page | null {
  const rsv = vma.privateData as SgReserve | null;
  if (!rsv) return null;
  const off = Math.floor((addr - vma.start) / PAGE_SIZE);
  return off < rsv.pages.length ? rsv.pages[off] : null;
}
function* sgNopage(t: Task, vma: Vma, addr: number): Generator<Step, NopageResult, void> {
  t.enter('sg_vma_nopage');
  const page = sgPage(vma, addr);
  if (page) t.kernel.alloc.get(page);
  t.exit('sg_vma_nopage');
  return page ?? NOPAGE_SIGBUS;
}
function* sgNopageInstallBody(t: Task, mm: MmStruct, vma: Vma, addr: number, write: boolean): Generator<Step, number, void> {
  // "struct page *page = VM_FAULT_SIGBUS;" ... "return install_new_page(mm, vma, addr, write_access, pmd, page);"
  const page = sgPage(vma, addr);
  if (page) t.kernel.alloc.get(page);
  return yield* installNewPage(t, mm, vma, addr, write, page);
}
function* sgNopageInstall(t: Task, mm: MmStruct, vma: Vma, addr: number, write: boolean): Generator<Step, number, void> {
  t.enter('sg_vma_nopage');
  const r = yield* sgNopageInstallBody(t, mm, vma, addr, write);
  t.exit('sg_vma_nopage');
  return r;
}
function* sgNopageHch(t: Task, mm: MmStruct, vma: Vma, addr: number, write: boolean): Generator<Step, number, void> {
  t.enter('sg_vma_nopage');
  if (t.spinUnlock(mm.pageTableLock)) yield t.step;
  const r = yield* sgNopageInstallBody(t, mm, vma, addr, write);
  t.exit('sg_vma_nopage');
  return r;
}

const cache = new Map<string, VmOperations | null>();

const shmiqOps = vmOpsByForm('shmiq_vm_ops', { page: shmiqNopage, install: shmiqNopageInstall, hch: shmiqNopageHch });
const sgOps = vmOpsByForm('sg_mmap_vm_ops', { page: sgNopage, install: sgNopageInstall, hch: sgNopageHch });

export type DeviceKind = 'shmiq' | 'sg' | 'anon';

export function deviceVmOps(kind: DeviceKind, form: VmOperations['form']): VmOperations {
  if (kind === 'shmiq') return shmiqOps(form);
  if (kind === 'sg') return sgOps(form);
  const key = kind + ':' + form;
  let ops = cache.get(key);
  if (ops) return ops;
  // packet_mmap_ops: open/close only, until -mm3 gives it .nopage = do_anonymous_page
  ops = {
    name: 'packet_mmap_ops',
    form,
    nopageHch: form === 'install-hch' ? doAnonymousPage : undefined,
    names: () => (form === 'install-hch' ? ['open', 'close', 'nopage'] : ['open', 'close']),
  };
  cache.set(key, ops);
  return ops;
}

/** sg's reserve buffer: driver pages (reserved, never freed) */
export function sgReserve(k: Kernel, pages: number): SgReserve | null {
  const out: Page[] = [];
  for (let i = 0; i < pages; i++) {
    const p = k.alloc.alloc();
    if (!p) return null;
    p.setFlags(PG_reserved);
    out.push(p);
  }
  return { pages: out };
}
