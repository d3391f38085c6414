// The variants of the get_user_pages family (seeds 000 and 001) and of the release of pinned pages
// (seed 003). The functions of getUserPages.ts, walkUserPages.ts, followHugetlbPage.ts,
// pageWalkers.ts and putUserPage.ts consult these rules while they run.

import { getVariant, registerVariant } from './variants';
import type { Kernel } from './kernel';

/**
 * When a custom_page_walker_t is entered with mm->page_table_lock held (seed 001):
 * - 'unless-vma-err': seed 000 as posted: held whenever the vma is valid, also for an error page;
 *   a walker returning a negative value must drop it "if it is held" (it tells by IS_ERR(vma)).
 * - 'flag': option 1, an explicit argument says whether it is held.
 * - 'never': option 2, always unlocked before the walker is entered.
 * - 'unless-page-err': option 3 (the diff of seed 001), held unless IS_ERR(page); a walker that
 *   returns a negative value for a valid page must drop it.
 * - 'always': option 4, always held; the walker never sees an error, a separate cleanup function
 *   is entered without the lock instead.
 */
export type WalkerLock = 'unless-vma-err' | 'flag' | 'never' | 'unless-page-err' | 'always';

export interface GupRules {
  /** 'gup': 2.5.46 get_user_pages(tsk, mm, start, len, write, force, pages, vmas);
   * 'walk': the page-walk API (walk_user_pages, get_one_user_page, get_user_pages without vmas) */
  api: 'gup' | 'walk';
  walkerLock: WalkerLock;
  /** single_page_walk() returns an error page with page_table_lock already dropped */
  unlockOnErrorPage: boolean;
  /** follow_hugetlb_page() takes page_table_lock (seed 000, patch 02) */
  hugetlbLock: boolean;
  /** walk_user_pages() takes a cleanup function, entered without the lock on every error */
  cleaner: boolean;
}

/** Rules of the release of pages pinned by get_user_pages(). */
export interface ReleaseRules {
  /** get_user_pages() counts a pin apart from the reference it takes, put_user_page*() drops both,
   * and misuse of either release is visible (seed 003, steps 2 and 3) */
  pinsApart: boolean;
}

registerVariant<GupRules>({
  name: 'gup-2.5.46',
  family: 'gup',
  seed: '000',
  base: true,
  description:
    'Linux 2.5.46 get_user_pages(tsk, mm, start, len, write, force, pages, vmas): find_extend_vma() per VMA, refuses VM_IO or missing permission with the count so far (or -EFAULT), follow_hugetlb_page() without page_table_lock for hugetlb VMAs, else follow_page() under page_table_lock with the lock dropped around handle_mm_fault(); a reference on every page that is not PG_reserved. What it collected before an error is the caller\'s to release.',
  rules: { api: 'gup', walkerLock: 'unless-vma-err', unlockOnErrorPage: false, hugetlbLock: false, cleaner: false },
});

registerVariant<GupRules>({
  name: 'walk',
  family: 'gup',
  seed: '000',
  description:
    'Ingo Oeser\'s page-walk API as posted (page_walk_api-2.5.46-01..05): walk_user_pages() calls a custom_page_walker_t(vma, page, virt_addr, customdata) per page with page_table_lock held whenever the vma is valid (also for an error page); a walker returning a negative value drops the lock if it is held and cleans up what it collected. get_one_user_page() for one page, no vmas argument, follow_hugetlb_page() takes page_table_lock and, as posted, returns 0 both at the end of the VMA and when the walker is done, after which walk_user_pages() goes on. The four options of seed 001 keep this code and change only the lock rules.',
  rules: { api: 'walk', walkerLock: 'unless-vma-err', unlockOnErrorPage: false, hugetlbLock: true, cleaner: false },
});

registerVariant<GupRules>({
  name: 'walk-opt1',
  family: 'gup',
  seed: '001',
  description:
    'Seed 001, option 1: an explicit argument tells the walker whether page_table_lock is held; the walker restores the state on its error path. Hugetlb pages need no lock at all.',
  rules: { api: 'walk', walkerLock: 'flag', unlockOnErrorPage: false, hugetlbLock: false, cleaner: false },
});

registerVariant<GupRules>({
  name: 'walk-opt2',
  family: 'gup',
  seed: '001',
  description:
    'Seed 001, option 2: page_table_lock is always dropped before the walker is entered, so the collecting walker re-takes it for page_cache_get(): lock/follow_page/unlock/lock/page_cache_get/unlock for every page.',
  rules: { api: 'walk', walkerLock: 'never', unlockOnErrorPage: true, hugetlbLock: true, cleaner: false },
});

registerVariant<GupRules>({
  name: 'walk-opt3',
  family: 'gup',
  seed: '001',
  description:
    'Seed 001, option 3 (the diff Ingo Oeser favoured): single_page_walk() drops page_table_lock whenever it returns an error page, so the walker holds the lock exactly when IS_ERR(page) is false; a walker that returns a negative value for a valid page drops it.',
  rules: { api: 'walk', walkerLock: 'unless-page-err', unlockOnErrorPage: true, hugetlbLock: true, cleaner: false },
});

registerVariant<GupRules>({
  name: 'walk-opt4',
  family: 'gup',
  seed: '001',
  description:
    'Seed 001, option 4: walk_user_pages() takes an explicit cleanup function. The walker is always entered with page_table_lock held and never sees an error; on every error the lock is dropped and the cleanup function is entered with only the customdata. A walker may have none.',
  rules: { api: 'walk', walkerLock: 'always', unlockOnErrorPage: false, hugetlbLock: true, cleaner: true },
});

registerVariant<ReleaseRules>({
  name: 'put_page',
  family: 'release',
  seed: '003',
  base: true,
  description:
    'Before seed 003: get_user_pages() takes plain references and callers drop them with put_page() (after set_page_dirty() or set_page_dirty_lock() when the device wrote). put_user_page*() behave as the placeholders of the patch: they call put_page(). Nothing can tell a pin from any other reference.',
  rules: { pinsApart: false },
});

registerVariant<ReleaseRules>({
  name: 'put_user_page',
  family: 'release',
  seed: '003',
  description:
    'Seed 003 carried to its steps 2 and 3: pages pinned by get_user_pages() are released with put_user_page(), put_user_pages(), put_user_pages_dirty() or put_user_pages_dirty_lock(), and pins are counted apart from page references, so put_page() on a pinned page, put_user_page() on a page that is not pinned and a second release are caught where they happen.',
  rules: { pinsApart: true },
});

const GUP_FALLBACK: GupRules = { api: 'gup', walkerLock: 'unless-vma-err', unlockOnErrorPage: false, hugetlbLock: false, cleaner: false };

export function gupRules(k: Kernel): GupRules {
  return k.rules<GupRules>('gup') ?? GUP_FALLBACK;
}

/** the rules of a gup variant by name (a walker written against another option's contract) */
export function gupRulesByName(name: string): GupRules | undefined {
  return getVariant('gup', name)?.rules as GupRules | undefined;
}

export function releaseRules(k: Kernel): ReleaseRules {
  return k.rules<ReleaseRules>('release') ?? { pinsApart: false };
}
