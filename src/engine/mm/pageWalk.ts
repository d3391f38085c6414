// struct page_walk and the calling convention of custom_page_walker_t (seeds 000 and 001). The
// lock contract between walk_user_pages() and a walker depends on the option in force (see
// WalkerLock in gupVariants.ts); it is checked where the walker returns, as lockdep would.

import type { Task } from '../sim/task';
import type { Step } from '../sim/step';
import type { Vma } from './vma';
import type { Page } from './page';
import type { MmStruct } from './mmStruct';
import type { Spinlock } from '../sim/locks';
import { IS_ERR, PTR_ERR, type ErrPtr } from './errPtr';
import type { GupRules } from '../sim/variants';

export type PageOrErr = Page | ErrPtr;
export type VmaOrErr = Vma | ErrPtr;

/**
 * typedef int (*custom_page_walker_t)(struct vm_area_struct *vma, struct page *page,
 *                                     unsigned long virt_addr, void *customdata);
 * Returns 0 to go on, a positive value to stop (done), a negative errno on error. `locked` is the
 * explicit argument of option 1 (ignored by the other rules).
 */
export type CustomPageWalker<D> = (t: Task, vma: VmaOrErr, page: PageOrErr, virt: number, customdata: D, locked: boolean) => Generator<Step, number, void>;

/** option 4's cleanup function: entered without page_table_lock, with only the customdata */
export type PageWalkCleaner<D> = (t: Task, customdata: D) => Generator<Step, void, void>;

export interface PageWalk<D> {
  /** first user address */
  virt: number;
  /** VM_READ|VM_MAYREAD or VM_WRITE|VM_MAYWRITE (masked as get_user_pages masks them for force) */
  vmFlags: number;
  write: boolean;
  walker: CustomPageWalker<D>;
  customdata: D;
  /** option 4 only; null when the caller needs no cleanup */
  cleaner: PageWalkCleaner<D> | null;
}

/** spin_lock(&mm->page_table_lock) by the get_user_pages family, counted for comparisons (seed 001
 * weighs the options by these operations per page) */
export function ptlLock(t: Task, ptl: Spinlock): boolean {
  t.kernel.count('gup page_table_lock ops');
  return t.spinLock(ptl);
}

export function ptlUnlock(t: Task, ptl: Spinlock): boolean {
  t.kernel.count('gup page_table_lock ops');
  return t.spinUnlock(ptl);
}

/** walker data that records which contract its walker was written against */
export interface WalkerContract {
  contract: GupRules;
}

/**
 * Enter the walker for a valid page and check, when it returns, that it left page_table_lock as
 * its contract says. Under option 4 a negative return makes walk_user_pages() drop the lock and
 * run the cleanup function. Returns the walker's value.
 */
export function* callWalker<D>(t: Task, mm: MmStruct, rules: GupRules, pw: PageWalk<D>, vma: Vma, page: Page, virt: number, locked: boolean): Generator<Step, number, void> {
  t.kernel.count('custom_page_walker_t calls');
  const ret = yield* pw.walker(t, vma, page, virt, pw.customdata, locked);
  const ld = t.kernel.lockdep;
  const ptl = mm.pageTableLock;
  switch (rules.walkerLock) {
    case 'never':
      ld.mustNotHold(t, ptl, 'option 2: a custom_page_walker_t returns with page_table_lock dropped');
      break;
    case 'always':
      ld.mustHold(t, ptl, 'option 4: a custom_page_walker_t returns with page_table_lock still held');
      if (ret < 0) {
        if (ptl.heldBy(t) && ptlUnlock(t, ptl)) yield t.step;
        if (pw.cleaner) yield* pw.cleaner(t, pw.customdata);
      }
      break;
    default:
      if (ret < 0 && locked) ld.mustNotHold(t, ptl, 'a custom_page_walker_t that returns a negative value for a valid page drops page_table_lock');
      else if (locked) ld.mustHold(t, ptl, 'a custom_page_walker_t that does not fail returns with page_table_lock held');
      else ld.mustNotHold(t, ptl, 'a custom_page_walker_t entered without page_table_lock returns without it');
  }
  return ret;
}

/**
 * An error during the walk (no usable vma, or single_page_walk() failed): the walker is told with
 * IS_ERR(page) and cleans up, or under option 4 the lock is dropped and the cleanup function runs.
 * `locked` says whether page_table_lock is held at this point. Returns the negative errno.
 */
export function* walkFailed<D>(t: Task, mm: MmStruct, rules: GupRules, pw: PageWalk<D>, vma: VmaOrErr, page: ErrPtr, virt: number, locked: boolean): Generator<Step, number, void> {
  const ptl = mm.pageTableLock;
  if (rules.cleaner) {
    if (locked && ptlUnlock(t, ptl)) yield t.step;
    if (pw.cleaner) yield* pw.cleaner(t, pw.customdata);
    return PTR_ERR(page);
  }
  t.kernel.count('custom_page_walker_t calls');
  const ret = yield* pw.walker(t, vma, page, virt, pw.customdata, locked);
  t.kernel.lockdep.mustNotHold(t, ptl, `a custom_page_walker_t handed IS_ERR(page)${IS_ERR(vma) ? ' and IS_ERR(vma)' : ''} returns without page_table_lock`);
  return ret < 0 ? ret : PTR_ERR(page);
}
