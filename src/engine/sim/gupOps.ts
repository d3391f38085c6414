// The operations of the get_user_pages family and of the release of pinned pages: gup, walk,
// get-one-page collect pages under a name (`as`); dma-write and release name them; writeback
// cleans one file page.

import { dmaWritePages } from '../drivers/dmaWrite';
import { IS_ERR, errnoName } from '../mm/errPtr';
import { findExtendVma } from '../mm/findExtendVma';
import { getUserPages } from '../mm/getUserPages';
import type { Page } from '../mm/page';
import type { PageWalk } from '../mm/pageWalk';
import {
  countPagesWalker,
  failAtWalker,
  gupAddPages,
  gupPagesCleanup,
  type CountPages,
  type FailAtPages,
  type GupAddPages,
} from '../mm/pageWalkers';
import { findPageSet, storePageSet, type PageSet } from '../mm/pinnedPages';
import { releasePageSet } from '../mm/putUserPage';
import type { Vma } from '../mm/vma';
import { getOneUserPage, getUserPagesWalk, gupVmFlags, walkUserPages } from '../mm/walkUserPages';
import { writebackPage } from '../mm/writeback';

import { SideTable } from './checkpoint';
import { EFAULT, PAGE_SIZE } from './constants';
import type { Kernel } from './kernel';
import { Spinlock } from './locks';
import type { OpImpl, OpOf, OpOutcome } from './ops';
import type { Step } from './step';
import type { Task } from './task';
import { gupRules, gupRulesByName, releaseRules, type GupRules } from './variants';

type GupOp = 'gup' | 'walk' | 'get-one-page' | 'dma-write' | 'release' | 'writeback';
type Op<K extends GupOp> = OpOf<K>;

function noMm(t: Task, op: string): OpOutcome | null {
  return t.mm ? null : { result: `-EINVAL (${op}: task ${t.name} has no mm)` };
}

function badCount(n: number, op: string): OpOutcome | null {
  return Number.isInteger(n) && n > 0 ? null : { result: `-EINVAL (${op}: pages must be a positive integer, got ${n})` };
}

function keep(t: Task, index: number, as: string | undefined, by: string, pages: Page[], vmas: Vma[] | null, write: boolean): PageSet {
  const set: PageSet = {
    name: as ?? `${t.name}#${index}`,
    owner: t.name,
    by,
    pages,
    vmas,
    pinned: releaseRules(t.kernel).pinsApart,
    write,
    releasedBy: null,
  };
  storePageSet(t, set);
  return set;
}

function pagesResult(ret: number): string {
  return ret < 0 ? errnoName(ret) : `${ret} page${ret === 1 ? '' : 's'}`;
}

function* gupOp(t: Task, op: Op<'gup'>, index: number): Generator<Step, OpOutcome, void> {
  const bad = noMm(t, 'gup') ?? badCount(op.pages, 'gup');
  if (bad) return bad;
  const mm = t.mm!;
  const rules = gupRules(t.kernel);
  const write = !!op.write;
  const pages: Page[] = [];
  let vmas: Vma[] | null = null;
  if (t.downRead(mm.mmapSem)) yield t.step;
  let ret: number;
  if (rules.api === 'gup') {
    vmas = [];
    ret = yield* getUserPages(t, mm, op.addr, op.pages, write, !!op.force, pages, vmas);
  } else {
    ret = yield* getUserPagesWalk(t, mm, op.addr, op.pages, write, !!op.force, pages, rules);
  }
  if (t.upRead(mm.mmapSem)) yield t.step;
  keep(t, index, op.as, 'get_user_pages', pages, vmas, write);
  return { result: pagesResult(ret) };
}

function* walkOp(t: Task, op: Op<'walk'>, index: number): Generator<Step, OpOutcome, void> {
  const bad = noMm(t, 'walk') ?? badCount(op.pages, 'walk');
  if (bad) return bad;
  const mm = t.mm!;
  const rules = gupRules(t.kernel);
  if (rules.api !== 'walk') return { result: `-ENOSYS (walk_user_pages() is not in ${t.kernel.variantName('gup')})` };
  let contract: GupRules = rules;
  if (op.writtenFor !== undefined) {
    const c = gupRulesByName(op.writtenFor);
    if (!c || c.api !== 'walk') return { result: `-EINVAL (writtenFor: '${op.writtenFor}' is not a page-walk variant)` };
    contract = c;
  }
  const write = !!op.write;
  const kind = op.walker ?? 'collect';
  const base = { virt: op.addr, vmFlags: gupVmFlags(write, false), write };
  if (t.downRead(mm.mmapSem)) yield t.step;
  let ret: number;
  let result: string;
  if (kind === 'count') {
    const d: CountPages = { count: 0, todo: op.pages, contract };
    const pw: PageWalk<CountPages> = { ...base, walker: countPagesWalker, customdata: d, cleaner: null };
    ret = yield* walkUserPages(t, mm, rules, pw);
    result = ret < 0 ? `${errnoName(ret)} after ${d.count} pages` : pagesResult(d.count);
  } else {
    const pages: Page[] = [];
    let d: GupAddPages | FailAtPages;
    let pw: PageWalk<GupAddPages> | PageWalk<FailAtPages>;
    if (kind === 'fail-at') {
      if (op.failAt === undefined || !Number.isInteger(op.failAt) || op.failAt < 0) {
        if (t.upRead(mm.mmapSem)) yield t.step;
        return { result: `-EINVAL (walk: walker 'fail-at' needs failAt, a page position >= 0)` };
      }
      const f: FailAtPages = { pages, count: 0, maxPages: op.pages, contract, failAt: op.failAt, seen: 0 };
      d = f;
      pw = { ...base, walker: failAtWalker, customdata: f, cleaner: contract.cleaner ? gupPagesCleanup : null };
    } else {
      const g: GupAddPages = { pages, count: 0, maxPages: op.pages, contract };
      d = g;
      pw = { ...base, walker: gupAddPages, customdata: g, cleaner: contract.cleaner ? gupPagesCleanup : null };
    }
    ret = yield* walkUserPages(t, mm, rules, pw as PageWalk<GupAddPages>);
    keep(t, index, op.as, 'walk_user_pages', pages, null, write);
    result = ret < 0 ? errnoName(ret) : pagesResult(d.count);
  }
  if (t.upRead(mm.mmapSem)) yield t.step;
  return { result };
}

function* getOnePageOp(t: Task, op: Op<'get-one-page'>, index: number): Generator<Step, OpOutcome, void> {
  const bad = noMm(t, 'get-one-page');
  if (bad) return bad;
  const mm = t.mm!;
  const rules = gupRules(t.kernel);
  const write = !!op.write;
  const pages: Page[] = [];
  let result: string;
  if (t.downRead(mm.mmapSem)) yield t.step;
  if (rules.api === 'gup') {
    // what patch 04 replaced: get_user_pages(current, mm, addr, 1, write, 0, &page, NULL)
    const ret = yield* getUserPages(t, mm, op.addr, 1, write, false, pages, null);
    result = ret === 1 ? `pfn ${pages[0].pfn}` : errnoName(ret);
  } else {
    const vma = findExtendVma(mm, op.addr);
    if (vma === null) {
      result = errnoName(-EFAULT);
    } else {
      const page = yield* getOneUserPage(t, vma, gupVmFlags(write, false), op.addr - (op.addr % PAGE_SIZE), rules);
      if (IS_ERR(page)) result = errnoName(page.errno);
      else {
        pages.push(page);
        result = `pfn ${page.pfn}`;
      }
    }
  }
  if (t.upRead(mm.mmapSem)) yield t.step;
  keep(t, index, op.as, 'get_one_user_page', pages, null, write);
  return { result };
}

function* dmaWriteOp(t: Task, op: Op<'dma-write'>): Generator<Step, OpOutcome, void> {
  const set = findPageSet(t, op.pages);
  if (!set) return { result: `-ENOENT (no pages named '${op.pages}')` };
  const n = yield* dmaWritePages(t, set);
  return { result: `${n} page${n === 1 ? '' : 's'} written by the device` };
}

const driverLocks = new SideTable<Kernel, Map<string, Spinlock>>();

function driverLock(k: Kernel, name: string): Spinlock {
  let m = driverLocks.get(k);
  if (!m) driverLocks.set(k, (m = new Map<string, Spinlock>()));
  let l = m.get(name);
  if (!l) m.set(name, (l = new Spinlock(name, 'driver')));
  return l;
}

function* releaseOp(t: Task, op: Op<'release'>): Generator<Step, OpOutcome, void> {
  const set = findPageSet(t, op.pages);
  if (!set) return { result: `-ENOENT (no pages named '${op.pages}')` };
  let lock: Spinlock | null = null;
  if (op.holding !== undefined) {
    if (op.holding === 'page_table_lock') {
      if (!t.mm) return { result: `-EINVAL (release: task ${t.name} has no mm, so no page_table_lock)` };
      lock = t.mm.pageTableLock;
    } else lock = driverLock(t.kernel, op.holding);
  }
  t.enter('release_user_pages');
  if (lock && t.spinLock(lock)) yield t.step;
  yield* releasePageSet(t, set, op.fn);
  if (lock && t.spinUnlock(lock)) yield t.step;
  t.exit('release_user_pages');
  const again = set.releasedBy !== null;
  set.releasedBy = op.fn;
  const n = set.pages.length;
  return { result: `${n} page${n === 1 ? '' : 's'} released${again ? ' (again)' : ''}` };
}

function* writebackOp(t: Task, op: Op<'writeback'>): Generator<Step, OpOutcome, void> {
  const file = t.kernel.files.get(op.file);
  if (!file) return { result: `-ENOENT (writeback: no file '${op.file}')` };
  if (!Number.isInteger(op.page) || op.page < 0) return { result: `-EINVAL (writeback: page must be a non-negative integer)` };
  return { result: yield* writebackPage(t, file, op.page) };
}

export const GUP_OPS = {
  gup: gupOp,
  walk: walkOp,
  'get-one-page': getOnePageOp,
  'dma-write': dmaWriteOp,
  release: releaseOp,
  writeback: writebackOp,
} satisfies { [K in GupOp]: OpImpl<K> };
