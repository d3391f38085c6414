// Bindings of a 2.5.70 tree before seed 004's patch (the base column of its -mm2/-mm3 versions):
// the 2.5.70-mm helpers (pte_chain reverse mapping, the 2.5 pte helpers) with the ->nopage form of
// the time, struct page *(*nopage)(vma, address, int unused), which the filesystems' TypeScript
// ->nopage implement as nopagePage (the 2.6.11 hook binding; the third argument is not a pointer
// there, so nothing is written through it).
import type { EraBindings } from '../binding';

import { linux2570mm2 } from './linux-2.5.70-mm';
import { linux2611 } from './linux-2.6.11';

export const linux2570: EraBindings = {
  ...linux2570mm2,
  era: '2.5.70',
  structs: { ...linux2570mm2.structs, vm_operations_struct: linux2611.structs.vm_operations_struct },
  hooks: { ...linux2570mm2.hooks, 'vm_operations_struct.nopage': linux2611.hooks['vm_operations_struct.nopage'] },
  entries: { ...linux2611.entries },
};
