// sys_madvise(MADV_DONTNEED) (2.6.11 mm/madvise.c): under mmap_sem (write), zap the ptes of the
// range in each VMA without unmapping it; the next access faults the pages in again (a private
// anonymous page comes back zero-filled, a file page from the page cache). A nonlinear VMA keeps
// its file ptes (zap_details.nonlinear_vma). Holes in the range are skipped and reported -ENOMEM.

import { EINVAL, ENOMEM, PAGE_SIZE, VM_HUGETLB, VM_NONLINEAR } from '../sim/constants';
import type { Step } from '../sim/step';
import type { Task } from '../sim/task';

import type { MmStruct } from './mmStruct';
import type { Vma } from './vma';
import { zapPageRange } from './zap';

export const MADV_DONTNEED = 'MADV_DONTNEED';

/** madvise_dontneed(vma, start, end) */
function* madviseDontneed(t: Task, vma: Vma, start: number, end: number): Generator<Step, number, void> {
  t.enter('madvise_dontneed');
  // VM_LOCKED is not modelled; hugetlb VMAs refuse
  if (vma.flags & VM_HUGETLB) {
    t.exit('madvise_dontneed', '-EINVAL');
    return -EINVAL;
  }
  if (vma.flags & VM_NONLINEAR)
    yield* zapPageRange(t, vma, start, end, { firstIndex: 0, lastIndex: Number.MAX_SAFE_INTEGER, nonlinear: true, checkMapping: null });
  else yield* zapPageRange(t, vma, start, end);
  t.exit('madvise_dontneed', '0');
  return 0;
}

/** sys_madvise(start, len, MADV_DONTNEED): 0, -EINVAL, or -ENOMEM when the range had holes */
export function* sysMadvise(t: Task, mm: MmStruct, start: number, len: number): Generator<Step, number, void> {
  t.enter('sys_madvise');
  if (t.downWrite(mm.mmapSem)) yield t.step;
  let error = -EINVAL;
  let unmappedError = 0;
  const end = start + len;
  if (start % PAGE_SIZE === 0 && len >= 0) {
    error = 0;
    let vma = end > start ? mm.vmas.find(start) : null;
    while (end > start) {
      error = -ENOMEM;
      if (vma === null) break;
      if (start < vma.start) {
        unmappedError = -ENOMEM;
        start = vma.start;
      }
      if (end <= vma.end) {
        error = start < end ? yield* madviseDontneed(t, vma, start, end) : 0;
        if (!error) error = unmappedError;
        break;
      }
      error = yield* madviseDontneed(t, vma, start, vma.end);
      if (error) break;
      start = vma.end;
      vma = vma.next;
    }
  }
  if (t.upWrite(mm.mmapSem)) yield t.step;
  t.exit('sys_madvise', String(error));
  return error;
}
