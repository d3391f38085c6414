// The page-walk API of seed 000 (page_walk_api-2.5.46-01..05) with the lock rules of seed 001:
// walk_user_pages() enters a custom_page_walker_t for every page, single_page_walk() faults a page
// in, get_one_user_page() gets one page of a VMA found by the caller, and get_user_pages() becomes
// a gup_add_pages walk without the vmas argument.

import type { Task } from '../sim/task';
import type { Step } from '../sim/step';
import type { MmStruct } from './mmStruct';
import type { Vma } from './vma';
import type { Page } from './page';
import { EFAULT, ENOMEM, PAGE_SIZE, VM_FAULT_MAJOR, VM_FAULT_MINOR, VM_FAULT_OOM, VM_FAULT_SIGBUS, VM_FAULT_SIGSEGV, VM_IO, VM_MAYREAD, VM_MAYWRITE, VM_READ, VM_WRITE, faultName } from '../sim/constants';
import { ERR_PTR, IS_ERR } from './errPtr';
import { findExtendVma } from './findExtendVma';
import { followPage } from './followPage';
import { handleMmFault } from './handleMmFault';
import { followHugetlbPageWalk } from './followHugetlbPage';
import { isHugetlbVma } from './hugetlb';
import { gupGetPage } from './pinnedPages';
import { callWalker, walkFailed, type PageOrErr, type PageWalk, ptlLock, ptlUnlock } from './pageWalk';
import { gupAddPages, gupPagesCleanup, type GupAddPages } from './pageWalkers';
import type { GupRules } from '../sim/variants';

/** how often follow_page() may fail right after a successful fault before the loop counts as
 * a livelock (the kernel would spin for ever; 2.6 added "lookup_write = write && !force") */
export const MAX_FAULT_RETRIES = 16;

/** get_user_pages()' permission mask: VM_READ|VM_MAYREAD or VM_WRITE|VM_MAYWRITE, only the MAY
 * bits with force */
export function gupVmFlags(write: boolean, force: boolean): number {
  const flags = write ? VM_WRITE | VM_MAYWRITE : VM_READ | VM_MAYREAD;
  return flags & (force ? VM_MAYREAD | VM_MAYWRITE : VM_READ | VM_WRITE);
}

/**
 * single_page_walk(): follow_page() until it finds the page, dropping page_table_lock around
 * handle_mm_fault(). Entered and left with the lock held, except: under option 2 it takes and
 * drops the lock itself; an error page comes back with the lock dropped where the rules say so.
 */
export function* singlePageWalk(t: Task, mm: MmStruct, vma: Vma, start: number, write: boolean, rules: GupRules): Generator<Step, PageOrErr, void> {
  t.enter('single_page_walk');
  const ptl = mm.pageTableLock;
  const own = rules.walkerLock === 'never';
  if (own && ptlLock(t, ptl)) yield t.step;
  let retries = 0;
  for (;;) {
    const map = yield* followPage(t, mm, start, write);
    if (map !== null) {
      if (own && ptlUnlock(t, ptl)) yield t.step;
      t.exit('single_page_walk', `pfn ${map.pfn}`);
      return map;
    }
    if (retries++ === MAX_FAULT_RETRIES) {
      t.violation('fault-loop', `follow_page(0x${start.toString(16)}, write=${+write}) still fails after ${MAX_FAULT_RETRIES} successful faults`);
      if (rules.unlockOnErrorPage && ptlUnlock(t, ptl)) yield t.step;
      t.exit('single_page_walk', '-EFAULT');
      return ERR_PTR(-EFAULT);
    }
    if (ptlUnlock(t, ptl)) yield t.step;
    const fault = yield* handleMmFault(t, mm, vma, start, write ? VM_WRITE : 0);
    // seed 000 re-takes the lock before looking at the result; option 3 only on success
    if (!rules.unlockOnErrorPage && ptlLock(t, ptl)) yield t.step;
    let err = 0;
    switch (fault) {
      case VM_FAULT_MINOR: t.minFlt++; break;
      case VM_FAULT_MAJOR: t.majFlt++; break;
      case VM_FAULT_SIGSEGV: // seed 002 patch 19 adds it next to SIGBUS
      case VM_FAULT_SIGBUS: err = -EFAULT; break;
      case VM_FAULT_OOM: err = -ENOMEM; break;
      default: t.oops(`BUG() in single_page_walk: handle_mm_fault returned ${faultName(fault)}`);
    }
    if (err) {
      t.exit('single_page_walk', err === -EFAULT ? '-EFAULT' : '-ENOMEM');
      return ERR_PTR(err);
    }
    if (rules.unlockOnErrorPage && ptlLock(t, ptl)) yield t.step;
  }
}

/**
 * walk_user_pages(): enter pw.walker for every page from pw.virt on, VMA after VMA, until the
 * walker says it is done (> 0) or fails (< 0). A missing VMA, VM_IO or a missing permission is an
 * error handed to the walker (IS_ERR(vma), IS_ERR(page)) so that it can clean up.
 * Returns 0 or a negative errno; mmap_sem held for read.
 */
export function* walkUserPages<D>(t: Task, mm: MmStruct, rules: GupRules, pw: PageWalk<D>): Generator<Step, number, void> {
  t.enter('walk_user_pages');
  const ptl = mm.pageTableLock;
  const holdAcross = rules.walkerLock !== 'never';
  let virt = pw.virt;
  let ret: number;
  const cur = { start: virt };
  for (;;) {
    const vma = findExtendVma(mm, virt);
    if (vma === null || vma.flags & VM_IO || !(pw.vmFlags & vma.flags)) {
      const e = ERR_PTR(-EFAULT);
      ret = yield* walkFailed(t, mm, rules, pw, e, e, virt, false);
      break;
    }
    if (isHugetlbVma(vma)) {
      // patch 03: "if (ret == 0) continue; else break;" -- also when the walker said it was done,
      // so the walk comes back to the page it stopped at
      cur.start = virt;
      ret = yield* followHugetlbPageWalk(t, rules, pw, vma, cur);
      if (ret !== 0) break;
      virt = cur.start;
      continue;
    }
    if (holdAcross && ptlLock(t, ptl)) yield t.step;
    do {
      const page = yield* singlePageWalk(t, mm, vma, virt, pw.write, rules);
      if (IS_ERR(page)) {
        ret = yield* walkFailed(t, mm, rules, pw, vma, page, virt, !rules.unlockOnErrorPage);
        break;
      }
      ret = yield* callWalker(t, mm, rules, pw, vma, page, virt, holdAcross);
      if (ret !== 0) break;
      virt += PAGE_SIZE;
    } while (virt < vma.end);
    // a failing walker, or option 4's cleanup path, has dropped the lock already
    if (holdAcross && ret >= 0 && ptlUnlock(t, ptl)) yield t.step;
    if (ret !== 0) break;
  }
  if (ret > 0) ret = 0;
  t.exit('walk_user_pages', String(ret));
  return ret;
}

/**
 * get_one_user_page(tsk, vma, vm_flags, start): the page at start, referenced, or ERR_PTR(). The
 * caller found the vma with find_extend_vma() and holds mmap_sem for read.
 */
export function* getOneUserPage(t: Task, vma: Vma, vmFlags: number, start: number, rules: GupRules): Generator<Step, PageOrErr, void> {
  t.enter('get_one_user_page');
  const mm = vma.mm;
  const ptl = mm.pageTableLock;
  const write = (vmFlags & (VM_WRITE | VM_MAYWRITE)) !== 0;
  let page: PageOrErr;
  if (vma.flags & VM_IO || !(vma.flags & vmFlags)) {
    page = ERR_PTR(-EFAULT);
  } else if (isHugetlbVma(vma)) {
    // patch 03: follow_hugetlb_page() with a gup_add_pages walker for one page
    const pages: Page[] = [];
    const gup: GupAddPages = { pages, count: 0, maxPages: 1, contract: rules };
    const pw: PageWalk<GupAddPages> = { virt: start, vmFlags, write, walker: gupAddPages, customdata: gup, cleaner: rules.cleaner ? gupPagesCleanup : null };
    const ret = yield* followHugetlbPageWalk(t, rules, pw, vma, { start });
    page = ret === 0 && pages.length === 1 ? pages[0] : ERR_PTR(ret < 0 ? ret : -EFAULT);
  } else {
    const own = rules.walkerLock === 'never';
    if (!own && ptlLock(t, ptl)) yield t.step;
    page = yield* singlePageWalk(t, mm, vma, start, write, rules);
    if (IS_ERR(page)) {
      if (!rules.unlockOnErrorPage && ptlUnlock(t, ptl)) yield t.step;
    } else {
      // option 2: single_page_walk() dropped the lock; the reference is taken under it again
      if (own && ptlLock(t, ptl)) yield t.step;
      if (!page.reserved) gupGetPage(t, page);
      if (ptlUnlock(t, ptl)) yield t.step;
    }
  }
  t.exit('get_one_user_page', IS_ERR(page) ? (page.errno === -EFAULT ? '-EFAULT' : String(page.errno)) : `pfn ${page.pfn}`);
  return page;
}

/**
 * get_user_pages(tsk, mm, start, len, write, force, pages) on the page-walk API (patch 05 removed
 * vmas): a gup_add_pages walk. Returns the number of pages or a negative errno; after an error the
 * walker has already given back what it collected.
 */
export function* getUserPagesWalk(t: Task, mm: MmStruct, start: number, len: number, write: boolean, force: boolean, pages: Page[], rules: GupRules): Generator<Step, number, void> {
  t.enter('get_user_pages');
  const gup: GupAddPages = { pages, count: 0, maxPages: len, contract: rules };
  const pw: PageWalk<GupAddPages> = {
    virt: start,
    vmFlags: gupVmFlags(write, force),
    write,
    walker: gupAddPages,
    customdata: gup,
    cleaner: rules.cleaner ? gupPagesCleanup : null,
  };
  const ret = yield* walkUserPages(t, mm, rules, pw);
  const n = ret < 0 ? ret : gup.count;
  t.exit('get_user_pages', String(n));
  return n;
}
