// struct vm_operations_struct. ->nopage comes in the three forms of seed 004 (see FaultRules.nopage);
// a filesystem provides the form the variant in force defines.

import type { Step } from '../sim/step';
import type { Task } from '../sim/task';
import type { Vma } from './vma';
import type { MmStruct } from './mmStruct';
import type { Page } from './page';

/** NOPAGE_SIGBUS / NOPAGE_OOM of the 'page' form */
export const NOPAGE_SIGBUS = null;
export const NOPAGE_OOM = 'NOPAGE_OOM' as const;
export type NopageResult = Page | typeof NOPAGE_SIGBUS | typeof NOPAGE_OOM;

/** 2.5.70: struct page *(*nopage)(struct vm_area_struct *, unsigned long address, int unused) */
export type NopagePageFn = (t: Task, vma: Vma, address: number, unused: number) => Generator<Step, NopageResult, void>;
/** -mm2: int (*nopage)(mm, vma, address, write_access, pmd) */
export type NopageInstallFn = (t: Task, mm: MmStruct, vma: Vma, address: number, write: boolean) => Generator<Step, number, void>;
/** -mm3: int (*nopage)(mm, vma, address, write_access, page_table, pmd), page_table_lock held on entry */
export type NopageHchFn = (t: Task, mm: MmStruct, vma: Vma, address: number, write: boolean) => Generator<Step, number, void>;

/** int (*populate)(vma, address, len, prot, pgoff, nonblock) */
export type PopulateFn = (t: Task, vma: Vma, address: number, len: number, prot: number, pgoff: number, nonblock: boolean) => Generator<Step, number, void>;

export interface VmOperations {
  /** e.g. "filemap", "shmem", "dfs", "anon" */
  name: string;
  form: 'page' | 'install' | 'install-hch';
  nopagePage?: NopagePageFn;
  nopageInstall?: NopageInstallFn;
  nopageHch?: NopageHchFn;
  populate?: PopulateFn;
  /** names shown in snapshots (e.g. ["nopage", "populate"]) */
  names(): string[];
}

export function hasNopage(ops: VmOperations | null): boolean {
  if (!ops) return false;
  return ops.form === 'page' ? !!ops.nopagePage : ops.form === 'install' ? !!ops.nopageInstall : !!ops.nopageHch;
}

/** A filesystem's ->nopage in each form, and its ->populate if it has one. */
export interface VmOpsImpl {
  page: NopagePageFn;
  install: NopageInstallFn;
  hch: NopageHchFn;
  populate?: PopulateFn;
}

/** The vm_operations_struct a filesystem offers under each form; one object per form. */
export function vmOpsByForm(name: string, impl: VmOpsImpl): (form: VmOperations['form']) => VmOperations {
  const byForm = new Map<VmOperations['form'], VmOperations>();
  const names = impl.populate ? ['nopage', 'populate'] : ['nopage'];
  return (form) => {
    let ops = byForm.get(form);
    if (!ops) {
      ops = {
        name,
        form,
        nopagePage: form === 'page' ? impl.page : undefined,
        nopageInstall: form === 'install' ? impl.install : undefined,
        nopageHch: form === 'install-hch' ? impl.hch : undefined,
        populate: impl.populate,
        names: () => names,
      };
      byForm.set(form, ops);
    }
    return ops;
  };
}
