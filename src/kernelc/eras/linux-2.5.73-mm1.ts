// Bindings of a 2.5.73-mm1 tree (the base of McCracken's "Make sure truncate fix has no race"): the
// 2.5.70 era plus the names its do_no_page reads the truncate count through, before 2.6's
// f_mapping and plain counter: vma->vm_file->f_dentry->d_inode->i_mapping, and an atomic_t
// mapping->truncate_count read with atomic_read(). The count is the engine's one truncate_count
// (invalidations bump it under the truncate-seq rules).
import type { SeqCount } from '../../engine/sim/locks';
import type { CallSite, EraBindings, FieldBinding, FnBinding } from '../binding';
import { INT, opaque, ptrTo, type CType } from '../cType';

import { linux2570 } from './linux-2.5.70';
import { FileRef } from './linux-2.6.11';

const ATOMIC: CType = opaque('atomic_t');

/** the file, its dentry and its inode are one object to the model: the file as the VMA's node sees it */
const same = (to: string): FieldBinding => ({ type: ptrTo(to), get: (f: FileRef) => f });

const atomicRead: FnBinding = {
  ret: INT,
  doc: "atomic_read(&mapping->truncate_count): the truncate count another CPU's invalidation bumps (a read the scheduler may interleave)",
  *gen(c: CallSite, a: unknown[]) {
    const sc = a[0] as SeqCount | null;
    if (!sc || typeof sc.key !== 'string' || typeof sc.seq !== 'number')
      c.t.oops(`atomic_read of an unbound counter at ${c.loc}: \`${c.text}\``);
    if (c.t.objRead(sc.key, -1, c.text)) yield c.t.step;
    return sc.seq;
  },
};

export const linux2573mm1: EraBindings = {
  ...linux2570,
  era: '2.5.73-mm1',
  typedefs: { ...linux2570.typedefs, atomic_t: ATOMIC },
  structs: {
    ...linux2570.structs,
    file: { ...linux2570.structs.file, f_dentry: same('dentry') },
    dentry: { d_inode: same('inode') },
    inode: {
      ...linux2570.structs.inode,
      i_mapping: { type: ptrTo('address_space'), get: (f: FileRef) => (f instanceof FileRef ? f.file.mapping(f.node) : null) },
    },
    address_space: {
      ...linux2570.structs.address_space,
      // atomic_t truncate_count: only its address is taken (atomic_read, atomic_inc)
      truncate_count: { type: ATOMIC, addr: (s: { truncateCount: SeqCount }) => s.truncateCount },
    },
  },
  functions: { ...linux2570.functions, atomic_read: atomicRead },
};
