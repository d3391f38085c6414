// vmtruncate() and invalidate_mmap_range() (2.5.70-mm mm/memory.c, under i_shared_sem; 2.6.11
// mm/memory.c unmap_mapping_range() under i_mmap_lock, the 'object' rmap rules): zap every
// pte mapping the range in every VMA of the address space, then drop the pages from the cache.
// Under the truncate-seq rules the invalidation bumps mapping->truncate_count around the zap.

import { PAGE_SIZE, VM_NONLINEAR } from '../sim/constants';
import { touchRead, type Step } from '../sim/step';
import type { Task } from '../sim/task';

import type { AddressSpace, File } from './addressSpace';
import { truncateInodePages } from './pageCache';
import { zapPageRange } from './zap';

/** invalidate_mmap_range(mapping, holebegin, holelen) in pages; lastIndex inclusive */
export function* invalidateMmapRange(t: Task, space: AddressSpace, first: number, last: number): Generator<Step, void, void> {
  const objectRmap = t.kernel.alloc.objectRmap;
  const fn = objectRmap ? 'unmap_mapping_range' : 'invalidate_mmap_range';
  t.enter(fn);
  const seq = t.kernel.fault.truncateSequence;
  space.invalidating++;
  // 2.5.70 / 2.6.0: down(&mapping->i_shared_sem); 2.6.11: spin_lock(&mapping->i_mmap_lock)
  const mlock = space.lock(objectRmap);
  if (t.acquire(mlock)) yield t.step;
  if (seq && t.acquire(space.truncateCount)) yield t.step;
  touchRead(space.mappingsKey);
  for (const vma of [...space.mappings]) {
    // linear: the virtual range that maps [first, last]
    const vFirst = vma.pgoff;
    const vLast = vma.pgoff + vma.pages - 1;
    const lo = Math.max(first, vFirst);
    const hi = Math.min(last, vLast);
    if (lo > hi) continue;
    const start = vma.start + (lo - vma.pgoff) * PAGE_SIZE;
    const end = vma.start + (hi - vma.pgoff + 1) * PAGE_SIZE;
    // 2.5's invalidate_mmap_range zaps the whole range: private COW copies and swap ptes too
    yield* zapPageRange(t, vma, start, end);
  }
  touchRead(space.mappingsKey);
  for (const vma of [...space.nonlinear]) {
    // nonlinear: any page of the VMA may map the range; file ptes keep the offset
    yield* zapPageRange(t, vma, vma.start, vma.end, {
      firstIndex: first,
      lastIndex: last,
      nonlinear: (vma.flags & VM_NONLINEAR) !== 0,
      checkMapping: space,
    });
  }
  if (seq && t.release(space.truncateCount)) yield t.step;
  if (t.release(mlock)) yield t.step;
  space.invalidating--;
  t.exit(fn);
}

/** vmtruncate(inode, offset): shrink (or grow) i_size, unmap and drop the pages beyond it */
export function* vmtruncate(t: Task, file: File, pages: number): Generator<Step, number, void> {
  t.enter('vmtruncate');
  if (t.downWrite(file.iSem)) yield t.step;
  if (t.objWrite(file.sizeKey, -1, 'i_size_write')) yield t.step;
  const spaces = file.spacesList();
  for (const s of spaces) s.invalidating++;
  const old = file.size;
  file.size = pages;
  file.ensure(pages);
  if (pages < old) {
    for (const s of spaces) yield* invalidateMmapRange(t, s, pages, Number.MAX_SAFE_INTEGER);
    for (const s of spaces) yield* truncateInodePages(t, s, pages);
  }
  for (const s of spaces) s.invalidating--;
  if (t.upWrite(file.iSem)) yield t.step;
  t.exit('vmtruncate', '0');
  return 0;
}
