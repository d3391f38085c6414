// Bindings of 2.5.70-mm2 and -mm3 (seed 004's trees): the 2.6.11 tables with what differs in that
// era: pte_chain reverse mapping (pte_chain_alloc may sleep, page_add_rmap takes the pte), the
// 2.5 pte helpers (pte_mkwrite, establish_pte), and the ->nopage forms of the two patch versions:
//   -mm2: int (*nopage)(mm, vma, address, write_access, pmd), called without page_table_lock;
//   -mm3: int (*nopage)(mm, vma, address, write_access, page_table, pmd), called with it held.
// The filesystems' ->nopage stay TypeScript (vmOps.ts); they install through install_new_page,
// which the engine dispatches to the interpreted C when the variant has it.

import type { MmStruct } from '../../engine/mm/mmStruct';
import type { Page } from '../../engine/mm/page';
import { pageAddRmap } from '../../engine/mm/rmap';
import type { VmOperations } from '../../engine/mm/vmOps';
import type { Vma } from '../../engine/mm/vma';
import type { Step } from '../../engine/sim/step';
import { HookPtr, type CallSite, type EraBindings, type FieldBinding, type FnBinding, type HookBinding } from '../binding';
import { INT, ptrTo, struct, UINT, VOID, type CType } from '../cType';
import { PtePtr, pteMkwrite } from '../pte';

import { linux2611 } from './linux-2.6.11';

const PTE: CType = struct('pte_t');
const CHAIN = ptrTo('pte_chain');

/** a pte_chain from pte_chain_alloc(): the engine's rmap needs no memory for it */
class PteChain {
  stateKey(): string {
    return 'pte_chain';
  }
}
const CHAIN_TOKEN = new PteChain();

const page = (c: CallSite, v: unknown, what: string): Page => {
  if (v === null || v === undefined || v === 0) c.t.oops(`NULL pointer dereference in ${what} at ${c.loc}: \`${c.text}\``);
  return v as Page;
};

const functions: Record<string, FnBinding> = {
  ...linux2611.functions,
  pte_chain_alloc: {
    ret: CHAIN,
    *gen(c): Generator<Step, unknown, void> {
      if (c.t.sleep('pte_chain_alloc(GFP_KERNEL)')) yield c.t.step;
      return CHAIN_TOKEN;
    },
    doc: 'pte_chain_alloc(gfp): may sleep with GFP_KERNEL; never fails in the model',
  },
  pte_chain_free: { ret: VOID, noop: true, run: () => 0, doc: 'pte_chain_free(chain): nothing to free in the model' },
  page_add_rmap: {
    ret: CHAIN,
    run: (c, a) => {
      const p = a[1] as PtePtr;
      pageAddRmap(page(c, a[0], 'page_add_rmap'), p.mm, p.addr);
      return null;
    },
    doc: 'page_add_rmap(page, ptep, chain): the pte_chain entry for (mm, address); returns the unused chain (none)',
  },
  alloc_page: {
    ret: ptrTo('page'),
    *gen(c): Generator<Step, unknown, void> {
      if (c.t.sleep('alloc_page(GFP_HIGHUSER)')) yield c.t.step;
      return c.t.kernel.alloc.alloc();
    },
    doc: 'alloc_page(gfp): may sleep; NULL at the allocator limit',
  },
  PageReserved: { ret: INT, run: (c, a) => (page(c, a[0], 'PageReserved').reserved ? 1 : 0), doc: 'PageReserved(page)' },
  pte_mkwrite: { ret: PTE, run: (_c, a) => pteMkwrite(a[0] as number), doc: 'pte_mkwrite(pte)' },
  establish_pte: {
    ret: VOID,
    *gen(c, a): Generator<Step, unknown, void> {
      const p = a[2] as PtePtr;
      if (c.t.pteWrite(p.mm, p.addr, 'ptep_set_access_flags')) yield c.t.step;
      const e = a[3] as number;
      // the entry is the old one made young (and dirty for a write)
      if ((e % 256) & 0x20) p.mm.pt.setDirty(p.addr);
      else p.mm.pt.setYoung(p.addr);
      return 0;
    },
    doc: 'establish_pte(vma, address, ptep, entry): the 2.5 form of ptep_set_access_flags',
  },
  mark_page_accessed: { ret: VOID, noop: true, run: () => 0, doc: 'LRU hint' },
};

// immutable cache (C pointers to hooks), not kernel state: checkpoints need not see it
const nopagePtrs = new WeakMap<VmOperations, HookPtr | null>();

/** vm_operations_struct.nopage in the form of one patch version */
function nopageField(form: 'install' | 'install-hch'): FieldBinding {
  return {
    type: { k: 'fnptr', hook: 'vm_operations_struct.nopage', ret: INT },
    get: (ops: VmOperations) => {
      let p = nopagePtrs.get(ops);
      if (p === undefined) {
        const fn = form === 'install' ? ops.nopageInstall : ops.nopageHch;
        nopagePtrs.set(ops, (p = ops.form === form && fn ? new HookPtr('nopage', fn, ops.name) : null));
      }
      return p;
    },
  };
}

function nopageHook(args: number): HookBinding {
  return {
    ret: INT,
    doc:
      args === 5
        ? "int (*nopage)(mm, vma, address, write_access, pmd): the filesystem's TypeScript ->nopage, which installs through install_new_page()"
        : "int (*nopage)(mm, vma, address, write_access, page_table, pmd), entered with page_table_lock held: the filesystem's TypeScript ->nopage",
    *call(c, target, a) {
      const k = c.t.kernel;
      k.count('nopage calls');
      k.count('nopage args', a.length);
      const fn = (target as HookPtr).target as (
        t: typeof c.t,
        mm: MmStruct,
        vma: Vma,
        address: number,
        write: boolean,
      ) => Generator<Step, number, void>;
      return yield* fn(c.t, a[0] as MmStruct, a[1] as Vma, a[2] as number, a[3] !== 0);
    },
  };
}

function era(name: string, form: 'install' | 'install-hch'): EraBindings {
  return {
    ...linux2611,
    era: name,
    typedefs: { ...linux2611.typedefs },
    functions,
    structs: {
      ...linux2611.structs,
      vm_operations_struct: { ...linux2611.structs.vm_operations_struct, nopage: nopageField(form) },
      pte_chain: {},
    },
    hooks: { ...linux2611.hooks, 'vm_operations_struct.nopage': nopageHook(form === 'install' ? 5 : 6) },
    entries: { ...linux2611.entries, install_new_page: linux2611.entries.do_no_page },
    constants: { ...linux2611.constants },
  };
}

export const linux2570mm2 = era('2.5.70-mm2', 'install');
export const linux2570mm3 = era('2.5.70-mm3', 'install-hch');
export { UINT };
