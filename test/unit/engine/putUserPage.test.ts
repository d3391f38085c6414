// Release of pinned pages (seed 003): put_page versus put_user_page*, with pins tracked apart from
// references under 'put_user_page', and the misuse cases each variant does or does not catch.

import { describe, expect, it } from 'vitest';
import { A, HUGE, PAGE, hugeAndAnon, opEvents, pageAt, resultOf, run, violations, world } from './gupHelpers';
import { putUserPage } from '../../../src/engine/mm/putUserPage';
import { PG_dirty } from '../../../src/engine/mm/page';
import type { OpSpec } from '../../../src/engine/sim/spec';

const anon2: OpSpec[] = [
  { op: 'mmap', addr: A, pages: 2, prot: 'rw-' },
  { op: 'touch', addr: A, pages: 2, write: true },
  { op: 'gup', addr: A, pages: 2, write: true, as: 'p' },
];
const both = ['put_page', 'put_user_page'] as const;

describe('pins and references', () => {
  it('put_user_page counts a pin apart from the reference get_user_pages takes; put_page does not', () => {
    const tracked = run(world(anon2), { release: 'put_user_page' });
    expect(pageAt(tracked, A).pins).toBe(1);
    expect(pageAt(tracked, A).count).toBe(2);
    // never released: reported as pins, not as a stray reference
    expect(violations(tracked)).toEqual(['pin-balance', 'pin-balance']);
    const plain = run(world(anon2), { release: 'put_page' });
    expect(pageAt(plain, A).pins).toBe(0);
    expect(pageAt(plain, A).count).toBe(2);
    expect(violations(plain)).toEqual(['ref-balance', 'ref-balance']);
  });

  for (const release of both) {
    for (const fn of ['put_user_page', 'put_user_pages', 'put_user_pages_dirty', 'put_user_pages_dirty_lock'] as const) {
      it(`${release}: ${fn} releases what get_user_pages took`, () => {
        const m = run(world([...anon2, { op: 'release', pages: 'p', fn }]), { release });
        expect(resultOf(m, 3)).toBe('2 pages released');
        expect(pageAt(m, A).count).toBe(1);
        expect(pageAt(m, A).pins).toBe(0);
        expect(m.violations).toEqual([]);
      });
    }
  }

  it('put_user_pages_dirty dirties the head of a compound page and drops its pins', () => {
    const ops: OpSpec[] = [...hugeAndAnon, { op: 'gup', addr: HUGE + 3 * PAGE, pages: 2, write: true, as: 'h' }, { op: 'release', pages: 'h', fn: 'put_user_pages_dirty' }];
    const m = run(world(ops), { release: 'put_user_page' });
    const head = pageAt(m, HUGE);
    expect(head.flags & PG_dirty).toBeTruthy();
    expect(head.pins).toBe(0);
    expect(head.count).toBe(1);
    expect(m.violations).toEqual([]);
  });
});

describe('seed 003 misuse cases', () => {
  it('put_page on a pinned page: caught where it happens only when pins are tracked', () => {
    const ops = [...anon2, { op: 'release', pages: 'p', fn: 'put_page' }] as OpSpec[];
    const tracked = run(world(ops), { release: 'put_user_page' });
    expect(violations(tracked)).toContain('put_page-on-pinned');
    // and the pin is never dropped
    expect(violations(tracked)).toContain('pin-balance');
    expect(run(world(ops), { release: 'put_page' }).violations).toEqual([]);
  });

  it('put_user_page on a page that holds no pin', () => {
    for (const release of both) {
      const m = run(world([{ op: 'mmap', addr: A, pages: 1, prot: 'rw-' }, { op: 'touch', addr: A, pages: 1, write: true }]), { release });
      const page = pageAt(m, A);
      m.kernel.alloc.get(page); // a plain reference, as find_get_page() would take
      putUserPage(m.tasks[0], page);
      expect(page.count).toBe(1);
      expect(violations(m).includes('put_user_page-not-pinned')).toBe(release === 'put_user_page');
    }
  });

  it('counting pins blames the release that finds none left: one set released twice, another once', () => {
    const ops: OpSpec[] = [
      ...anon2,
      { op: 'gup', addr: A, pages: 1, write: true, as: 'q' },
      { op: 'release', pages: 'p', fn: 'put_user_pages' },
      { op: 'release', pages: 'p', fn: 'put_user_pages' },
      { op: 'release', pages: 'q', fn: 'put_user_page' },
    ];
    const tracked = run(world(ops), { release: 'put_user_page' });
    expect(violations(tracked)).toContain('put_user_page-not-pinned');
    const plain = run(world(ops), { release: 'put_page' });
    expect(violations(plain)).not.toContain('put_user_page-not-pinned');
    // both end with pages freed while still mapped
    expect(violations(tracked)).toContain('freed-while-mapped');
    expect(violations(plain)).toContain('freed-while-mapped');
  });

  it('double release: named at the second call with tracked pins, only a later symptom without', () => {
    const ops = [...anon2, { op: 'release', pages: 'p', fn: 'put_user_pages' }, { op: 'release', pages: 'p', fn: 'put_user_pages' }] as OpSpec[];
    const tracked = run(world(ops), { release: 'put_user_page' });
    expect(violations(tracked)).toContain('double-release');
    expect(resultOf(tracked, 4)).toBe('2 pages released (again)');
    const plain = run(world(ops), { release: 'put_page' });
    expect(violations(plain)).not.toContain('double-release');
    expect(violations(plain)).toContain('freed-while-mapped');
  });

  const trouble = (release: string, between: OpSpec[], fn: OpSpec & { op: 'release' } = { op: 'release', pages: 'p', fn: 'put_user_pages_dirty' }) =>
    run(world([
      { op: 'mmap', addr: A, pages: 1, prot: 'rw-', shared: true, file: 'f' },
      { op: 'gup', addr: A, pages: 1, write: true, as: 'p' },
      { op: 'dma-write', pages: 'p' },
      ...between,
      fn,
    ], { files: [{ name: 'f', pages: 1 }] }), { release });

  it('"The Trouble with get_user_pages()": set_page_dirty on a page writeback cleaned while the DMA was in flight', () => {
    for (const release of both) {
      const m = trouble(release, [{ op: 'writeback', file: 'f', page: 0 }, { op: 'dma-write', pages: 'p' }]);
      expect(violations(m)).toEqual(['dirty-after-writeback']);
      // without the writeback in between, the same release is fine
      expect(trouble(release, []).violations).toEqual([]);
      // a CPU store after the writeback goes through the fault path the filesystem sees
      expect(trouble(release, [{ op: 'writeback', file: 'f', page: 0 }, { op: 'write', addr: A }, { op: 'dma-write', pages: 'p' }]).violations).toEqual([]);
    }
  });

  it('releasing without dirtying loses what the device wrote after writeback', () => {
    const m = trouble('put_user_page', [{ op: 'writeback', file: 'f', page: 0 }, { op: 'dma-write', pages: 'p' }], { op: 'release', pages: 'p', fn: 'put_user_pages' });
    expect(violations(m)).toEqual(['dma-data-lost']);
    const old = trouble('put_page', [{ op: 'writeback', file: 'f', page: 0 }, { op: 'dma-write', pages: 'p' }], { op: 'release', pages: 'p', fn: 'put_page' });
    expect(violations(old)).toEqual(['dma-data-lost']);
  });

  it('put_user_pages_dirty_lock takes the page lock and may sleep: a violation under a spinlock, unlike put_user_pages_dirty', () => {
    for (const release of both) {
      const under = (fn: 'put_user_pages_dirty' | 'put_user_pages_dirty_lock' | 'set_page_dirty_lock+put_page') => run(world([
        { op: 'mmap', addr: A, pages: 1, prot: 'rw-', shared: true, file: 'f' },
        { op: 'touch', addr: A, pages: 1 },
        { op: 'gup', addr: A, pages: 1, as: 'p' },
        { op: 'writeback', file: 'f', page: 0 },
        { op: 'write', addr: A },
        { op: 'writeback', file: 'f', page: 0 },
        { op: 'write', addr: A },
        { op: 'release', pages: 'p', fn, holding: 'dev_lock' },
      ], { files: [{ name: 'f', pages: 1 }] }), { release });
      const locked = under('put_user_pages_dirty_lock');
      expect(violations(locked)).toEqual(['sleep-in-spinlock']);
      expect(opEvents(locked, 7).some((e) => e.kind === 'lock' && e.fn === 'set_page_dirty_lock' && e.detail.startsWith('lock_page'))).toBe(true);
      // the open-coded form of the put_page era sleeps there too (and is itself a misuse of a pin)
      const open = violations(under('set_page_dirty_lock+put_page'));
      expect(open[0]).toBe('sleep-in-spinlock');
      expect(open.includes('put_page-on-pinned')).toBe(release === 'put_user_page');
      expect(under('put_user_pages_dirty').violations).toEqual([]);
    }
  });

  it('the device writing after the release, or into pages pinned for reading', () => {
    const m = run(world([...anon2, { op: 'release', pages: 'p', fn: 'put_user_pages' }, { op: 'dma-write', pages: 'p' }]), { release: 'put_user_page' });
    expect(violations(m)).toEqual(['dma-after-release', 'dma-after-release']);
    const ro = run(world([{ op: 'mmap', addr: A, pages: 1, prot: 'rw-' }, { op: 'gup', addr: A, pages: 1, as: 'r' }, { op: 'dma-write', pages: 'r' }, { op: 'release', pages: 'r', fn: 'put_user_page' }]), { release: 'put_user_page' });
    // the zero page, pinned for reading
    expect(violations(ro)).toEqual(['dma-into-read-pin']);
  });

  it('a pinned page freed after put_page dropped the pin\'s reference and munmap the pte\'s', () => {
    const ops = [...anon2, { op: 'release', pages: 'p', fn: 'put_page' }, { op: 'munmap', addr: A, pages: 2 }] as OpSpec[];
    const tracked = run(world(ops), { release: 'put_user_page' });
    expect(tracked.violations.filter((v) => v.invariant === 'freed-while-mapped').map((v) => v.message)).toEqual([
      expect.stringContaining('DMA pins'),
      expect.stringContaining('DMA pins'),
    ]);
    expect(run(world(ops), { release: 'put_page' }).violations).toEqual([]);
  });

  it('names that were never collected are refused with a clear result', () => {
    const m = run(world([{ op: 'release', pages: 'nope', fn: 'put_page' }, { op: 'dma-write', pages: 'nope' }, { op: 'writeback', file: 'nofile', page: 0 }]), {});
    expect(resultOf(m, 0)).toBe("-ENOENT (no pages named 'nope')");
    expect(resultOf(m, 1)).toBe("-ENOENT (no pages named 'nope')");
    expect(resultOf(m, 2)).toBe("-ENOENT (writeback: no file 'nofile')");
    expect(m.violations).toEqual([]);
  });
});
