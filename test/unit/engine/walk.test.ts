// The page-walk API of seeds 000 and 001: walk_user_pages() with custom walkers, get_one_user_page(),
// no vmas argument, follow_hugetlb_page() under page_table_lock, and the four locking options.

import { describe, expect, it } from 'vitest';
import { A, HUGE, HUGE_END, PAGE, hugeAndAnon, opEvents, pageAt, pageSet, ptlOps, resultOf, run, violations, world } from './gupHelpers';
import { explore, has } from './explore';
import fc from 'fast-check';
import { createMachine } from '../../../src/engine/index';
import type { OpSpec, TraceEvent } from '../../../src/engine/sim/spec';

const WALKS = ['walk', 'walk-opt1', 'walk-opt2', 'walk-opt3', 'walk-opt4'];

/** collect `huge` base pages of the hugetlb VMA and `anon` pages of the anonymous VMA after it */
function collect(huge: number, anon: number, extra = 0): OpSpec[] {
  return [...hugeAndAnon, { op: 'walk', addr: HUGE_END - huge * PAGE, pages: huge + anon + extra, write: true, as: 'p' }, { op: 'release', pages: 'p', fn: 'put_page' }];
}

function lockOpsOfWalk(gup: string, huge: number, anon: number, extra = 0): { ops: TraceEvent[]; result: string; violations: string[] } {
  const m = run(world(collect(huge, anon, extra)), { gup });
  return { ops: ptlOps(opEvents(m, 3)), result: resultOf(m, 3), violations: violations(m) };
}

describe('seed 001: page_table_lock operations per page, from real walks over a hugetlb VMA, an anonymous VMA and a hole', () => {
  // every page is present, so the only lock operations are the walk's own
  const table = new Map<string, { four: number; eight: number; hole: number }>();
  for (const gup of WALKS) {
    const four = lockOpsOfWalk(gup, 2, 2);
    const eight = lockOpsOfWalk(gup, 4, 4);
    const hole = lockOpsOfWalk(gup, 4, 4, 2);
    table.set(gup, { four: four.ops.length, eight: eight.ops.length, hole: hole.ops.length });
    it(`${gup}: the walks complete cleanly, and running into the hole fails with everything given back`, () => {
      expect(four.result).toBe('4 pages');
      expect(eight.result).toBe('8 pages');
      expect(four.violations).toEqual([]);
      expect(hole.result).toBe('-EFAULT');
      expect(hole.violations).toEqual([]);
    });
  }

  it('option 2 costs lock/follow_page/unlock/lock/page_cache_get/unlock for EVERY page', () => {
    const t = table.get('walk-opt2')!;
    expect(t.four).toBe(4 * 4);
    expect(t.eight).toBe(4 * 8);
    // the error path at the hole adds no lock operation
    expect(t.hole).toBe(t.eight);
    const m = run(world(collect(0, 2)), { gup: 'walk-opt2' });
    const seq = opEvents(m, 3)
      .filter((e) => ((e.kind === 'lock' || e.kind === 'unlock') && e.detail.endsWith('(page_table_lock)')) || (e.kind === 'enter' && e.fn === 'follow_page') || e.kind === 'ref')
      .map((e) => (e.kind === 'enter' ? 'follow_page' : e.kind === 'ref' ? 'page_cache_get' : e.kind));
    const perPage = ['lock', 'follow_page', 'unlock', 'lock', 'page_cache_get', 'unlock'];
    expect(seq).toEqual([...perPage, ...perPage]);
  });

  it('seed 000 as posted and options 3 and 4 take the lock once per VMA, hugetlb included (patch 02)', () => {
    for (const gup of ['walk', 'walk-opt3', 'walk-opt4']) {
      const t = table.get(gup)!;
      expect(t).toEqual({ four: 4, eight: 4, hole: 4 });
    }
    const m = run(world(collect(2, 2)), { gup: 'walk-opt3' });
    const fns = ptlOps(opEvents(m, 3)).map((e) => `${e.fn}:${e.kind}`);
    expect(fns).toEqual(['follow_hugetlb_page:lock', 'follow_hugetlb_page:unlock', 'walk_user_pages:lock', 'walk_user_pages:unlock']);
  });

  it('the run counters give the same figures with tracing off', () => {
    const counted = (gup: string, huge: number, anon: number) => {
      const m = createMachine(world(collect(huge, anon)), { gup }).runAll();
      return m.snapshot().counters!;
    };
    expect(counted('walk-opt2', 2, 2)['gup page_table_lock ops']).toBe(16);
    expect(counted('walk-opt2', 4, 4)['gup page_table_lock ops']).toBe(32);
    expect(counted('walk-opt3', 4, 4)['gup page_table_lock ops']).toBe(4);
    expect(counted('walk-opt1', 4, 4)['gup page_table_lock ops']).toBe(2);
    const c = counted('walk', 2, 2);
    expect(c['custom_page_walker_t calls']).toBe(4);
    expect(c['gup references']).toBe(4);
  });

  it('option 1 needs no lock for hugetlb pages: once per non-hugetlb VMA only', () => {
    expect(table.get('walk-opt1')).toEqual({ four: 2, eight: 2, hole: 2 });
  });

  it('2.5.46 get_user_pages over the same range: once per VMA, no lock for hugetlb, and the count so far at the hole', () => {
    const ops: OpSpec[] = [...hugeAndAnon, { op: 'gup', addr: HUGE_END - 4 * PAGE, pages: 10, write: true, as: 'p' }, { op: 'release', pages: 'p', fn: 'put_page' }];
    const m = run(world(ops), { gup: 'gup-2.5.46' });
    expect(resultOf(m, 3)).toBe('8 pages');
    expect(ptlOps(opEvents(m, 3))).toHaveLength(2);
    expect(m.violations).toEqual([]);
  });
});

describe('seed 000: the API', () => {
  it('get_user_pages() on the walk API has no vmas argument, and over a hole returns -EFAULT with nothing left to release', () => {
    for (const gup of WALKS) {
      const ops: OpSpec[] = [...hugeAndAnon, { op: 'gup', addr: HUGE_END - 2 * PAGE, pages: 8, write: true, as: 'p' }];
      const m = run(world(ops), { gup });
      expect(resultOf(m, 3)).toBe('-EFAULT');
      expect(pageSet(m, 'p').vmas).toBeNull();
      expect(pageSet(m, 'p').pages).toEqual([]);
      // nothing leaked although the caller released nothing
      expect(m.violations).toEqual([]);
    }
    const old = run(world([...hugeAndAnon, { op: 'gup', addr: HUGE_END - 2 * PAGE, pages: 8, write: true, as: 'p' }]), { gup: 'gup-2.5.46' });
    expect(resultOf(old, 3)).toBe('6 pages');
    expect(pageSet(old, 'p').vmas).toHaveLength(6);
    expect(violations(old)).toContain('ref-balance');
  });

  it('get_one_user_page() returns one referenced page of a VMA the caller found', () => {
    for (const gup of WALKS) {
      const ops: OpSpec[] = [
        { op: 'mmap', addr: A, pages: 2, prot: 'rw-' },
        { op: 'get-one-page', addr: A + PAGE, write: true, as: 'one' },
        { op: 'get-one-page', addr: A + 8 * PAGE, as: 'none' },
        { op: 'release', pages: 'one', fn: 'put_page' },
      ];
      const m = run(world(ops), { gup });
      const page = pageAt(m, A + PAGE);
      expect(resultOf(m, 1)).toBe(`pfn ${page.pfn}`);
      expect(resultOf(m, 2)).toBe('-EFAULT');
      const evs = opEvents(m, 1);
      expect(evs.some((e) => e.kind === 'enter' && e.fn === 'get_one_user_page')).toBe(true);
      expect(evs.some((e) => e.kind === 'enter' && e.fn === 'get_user_pages')).toBe(false);
      expect(evs.filter((e) => e.kind === 'ref')).toHaveLength(1);
      expect(pageSet(m, 'one').vmas).toBeNull();
      expect(m.violations).toEqual([]);
    }
  });

  it('2.5.46 has no get_one_user_page(): the single page goes through get_user_pages(..., 1, ...)', () => {
    const ops: OpSpec[] = [
      { op: 'mmap', addr: A, pages: 1, prot: 'rw-' },
      { op: 'get-one-page', addr: A, write: true, as: 'one' },
      { op: 'release', pages: 'one', fn: 'put_page' },
      { op: 'walk', addr: A, pages: 1 },
    ];
    const m = run(world(ops), { gup: 'gup-2.5.46' });
    expect(opEvents(m, 1).some((e) => e.kind === 'enter' && e.fn === 'get_user_pages')).toBe(true);
    expect(resultOf(m, 3)).toMatch(/^-ENOSYS/);
    expect(m.violations).toEqual([]);
  });

  it('get_one_user_page() of a hugetlb page takes page_table_lock, except under option 1', () => {
    const count = (gup: string) => {
      const m = run(world([...hugeAndAnon, { op: 'get-one-page', addr: HUGE + 5 * PAGE, as: 'h' }, { op: 'release', pages: 'h', fn: 'put_page' }]), { gup });
      expect(m.violations).toEqual([]);
      return ptlOps(opEvents(m, 3)).length;
    };
    expect(count('walk')).toBe(2);
    expect(count('walk-opt3')).toBe(2);
    expect(count('walk-opt1')).toBe(0);
  });

  it('a counting walker (make_pages_present) faults pages in and takes no reference', () => {
    for (const gup of WALKS) {
      const ops: OpSpec[] = [{ op: 'mmap', addr: A, pages: 3, prot: 'rw-' }, { op: 'walk', addr: A, pages: 3, write: true, walker: 'count' }];
      const m = run(world(ops), { gup });
      expect(resultOf(m, 1)).toBe('3 pages');
      expect(m.kernel.mms.get('A')!.rss).toBe(3);
      expect(opEvents(m, 1).filter((e) => e.kind === 'ref')).toEqual([]);
      expect(m.violations).toEqual([]);
    }
  });
});

describe('follow_hugetlb_page() as posted returns 0 for "done" too', () => {
  it('a collecting walk that is done inside a hugetlb VMA is entered again: pages[] overflows and the walk runs on to the hole', () => {
    for (const gup of WALKS) {
      const m = run(world([...hugeAndAnon, { op: 'walk', addr: HUGE, pages: 3, write: true, as: 'p' }]), { gup });
      expect(resultOf(m, 3)).toBe('-EFAULT');
      const over = m.violations.filter((v) => v.invariant === 'buffer-overflow');
      expect(over[0].message).toContain('pages[3] of an array of 3');
      // the walker took a reference on every page it was handed and the cleanup gave them all back
      expect(violations(m).filter((v) => v !== 'buffer-overflow')).toEqual([]);
      expect(pageAt(m, HUGE).count).toBe(1);
    }
    // 2.5.46 counts pages down with len and stops
    const old = run(world([...hugeAndAnon, { op: 'gup', addr: HUGE, pages: 3, write: true, as: 'p' }, { op: 'release', pages: 'p', fn: 'put_page' }]), { gup: 'gup-2.5.46' });
    expect(resultOf(old, 3)).toBe('3 pages');
    expect(old.violations).toEqual([]);
  });

  it('make_pages_present over part of a hugetlb VMA fails although every page is there', () => {
    const m = run(world([...hugeAndAnon, { op: 'walk', addr: HUGE, pages: 2, walker: 'count' }]), { gup: 'walk' });
    // all 512 huge base pages, the one it stopped at twice, then the anonymous VMA up to the hole
    expect(resultOf(m, 3)).toBe('-EFAULT after 517 pages');
    expect(m.violations).toEqual([]);
  });

  it('get_one_user_page() of a hugetlb page is not affected: it takes the page the walker collected', () => {
    for (const gup of WALKS) {
      const m = run(world([...hugeAndAnon, { op: 'get-one-page', addr: HUGE + 7 * PAGE, as: 'h' }, { op: 'release', pages: 'h', fn: 'put_page' }]), { gup });
      expect(resultOf(m, 3)).toMatch(/^pfn \d+$/);
      expect(m.violations).toEqual([]);
    }
  });
});

describe('error and cleanup paths under each option', () => {
  for (const gup of WALKS) {
    for (const [where, failAt] of [['an anonymous page', 3], ['a hugetlb page', 1]] as const) {
      it(`${gup}: a walker refusing ${where} cleans up and returns with page_table_lock dropped`, () => {
        const ops: OpSpec[] = [...hugeAndAnon, { op: 'walk', addr: HUGE_END - 2 * PAGE, pages: 6, write: true, walker: 'fail-at', failAt, as: 'p' }];
        const m = run(world(ops), { gup });
        expect(resultOf(m, 3)).toBe('-EFAULT');
        expect(pageSet(m, 'p').pages).toEqual([]);
        expect(m.violations).toEqual([]);
      });
    }
    it(`${gup}: a fault error (SIGBUS beyond the end of a file) ends the walk cleanly`, () => {
      const ops: OpSpec[] = [{ op: 'mmap', addr: A, pages: 4, prot: 'rw-', shared: true, file: 'f' }, { op: 'walk', addr: A, pages: 4, as: 'p' }];
      const m = run(world(ops, { files: [{ name: 'f', pages: 2 }] }), { gup });
      expect(resultOf(m, 1)).toBe('-EFAULT');
      expect(m.violations).toEqual([]);
    });
  }

  it('option 4 runs the cleanup function without page_table_lock, the walker never sees an error', () => {
    const ops: OpSpec[] = [{ op: 'mmap', addr: A, pages: 4, prot: 'rw-', shared: true, file: 'f' }, { op: 'walk', addr: A, pages: 4, as: 'p' }];
    const m = run(world(ops, { files: [{ name: 'f', pages: 2 }] }), { gup: 'walk-opt4' });
    const evs = opEvents(m, 1);
    const cleanup = evs.filter((e) => e.fn === 'gup_pages_cleanup' && e.kind === 'enter');
    expect(cleanup).toHaveLength(1);
    expect(cleanup[0].locks).not.toContain('page_table_lock');
    expect(evs.filter((e) => e.kind === 'enter' && e.fn === 'gup_add_pages')).toHaveLength(2);
  });

  it('walkers written for one option break under another (seed 001\'s point about awkward rules)', () => {
    const ops = (writtenFor: string): OpSpec[] => [{ op: 'mmap', addr: A, pages: 4, prot: 'rw-', shared: true, file: 'f' }, { op: 'walk', addr: A, pages: 4, as: 'p', writtenFor }];
    const files = { files: [{ name: 'f', pages: 2 }] };
    // seed 000's gup_add_pages unlocks for an error page of a valid vma; option 3 already did
    expect(violations(run(world(ops('walk'), files), { gup: 'walk-opt3' }))).toContain('unlock-not-held');
    // option 3's walker leaves the lock to single_page_walk; under seed 000 nobody drops it
    expect(violations(run(world(ops('walk-opt3'), files), { gup: 'walk' }))).toContain('lock-held-at-return');
    // written for the rules in force: clean
    expect(violations(run(world(ops('walk-opt3'), files), { gup: 'walk-opt3' }))).toEqual([]);
  });

  it('only option 2 lets truncate free a page between follow_page() and page_cache_get()', () => {
    const w = {
      files: [{ name: 'f', pages: 1 }],
      mms: [{ name: 'A' }],
      tasks: [
        { name: 'drv', mm: 'A', ops: [{ op: 'mmap', addr: A, pages: 1, prot: 'rw-', shared: true, file: 'f' }, { op: 'touch', addr: A, pages: 1 }, { op: 'gup', addr: A, pages: 1, as: 'p' }, { op: 'release', pages: 'p', fn: 'put_page' }] as OpSpec[] },
        { name: 'trunc', ops: [{ op: 'truncate', file: 'f', pages: 0 }] as OpSpec[] },
      ],
    };
    const r2 = explore(w, { gup: 'walk-opt2' }, has('use-after-free'));
    expect(r2.found).not.toBeNull();
    for (const gup of ['walk-opt3', 'gup-2.5.46']) {
      expect(explore(w, { gup }, has('use-after-free')).found).toBeNull();
    }
  });
});

describe('property: whatever the option, range and failing page, a walk leaves the lock free and every reference where it was', () => {
  it('collect or fail-at, then release what is left', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...WALKS),
        fc.integer({ min: 0, max: 6 }), // pages before the end of the hugetlb VMA
        fc.integer({ min: 1, max: 12 }),
        fc.option(fc.integer({ min: 0, max: 11 }), { nil: undefined }),
        fc.constantFrom('put_page', 'put_user_page'),
        (gup, back, pages, failAt, release) => {
          const ops: OpSpec[] = [
            ...hugeAndAnon,
            failAt === undefined
              ? { op: 'walk', addr: HUGE_END - back * PAGE, pages, write: true, as: 'p' }
              : { op: 'walk', addr: HUGE_END - back * PAGE, pages, write: true, walker: 'fail-at', failAt, as: 'p' },
            { op: 'release', pages: 'p', fn: release === 'put_page' ? 'put_page' : 'put_user_pages' },
          ];
          const m = run(world(ops), { gup, release });
          const failsEarly = failAt !== undefined && failAt < pages;
          const intoHole = pages > back + 4;
          // as posted, a walker that is done inside the hugetlb VMA is entered again (see above)
          const doneInHuge = !failsEarly && pages <= back;
          const ok = !failsEarly && !intoHole && !doneInHuge;
          expect(resultOf(m, 3)).toBe(ok ? `${pages} page${pages === 1 ? '' : 's'}` : '-EFAULT');
          const overflow = doneInHuge && (failAt === undefined || failAt > pages);
          expect([...new Set(violations(m))]).toEqual(overflow ? ['buffer-overflow'] : []);
          expect(pageAt(m, HUGE).count).toBe(1);
          expect(pageAt(m, A).count).toBe(1);
        },
      ),
      { numRuns: 30, seed: 4601 },
    );
  });
});
