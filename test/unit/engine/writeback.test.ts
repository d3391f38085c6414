// Writeback of a file page as the filesystem sees it, and its interaction with DMA into pinned pages.

import { describe, expect, it } from 'vitest';
import { A, opEvents, pageAt, resultOf, run, violations, world } from './gupHelpers';
import { explore, has } from './explore';
import { PG_dirty } from '../../../src/engine/mm/page';
import type { OpSpec, WorldSpec } from '../../../src/engine/sim/spec';

const file = { files: [{ name: 'f', pages: 2 }] };
const shared: OpSpec = { op: 'mmap', addr: A, pages: 2, prot: 'rw-', shared: true, file: 'f' };

describe('writeback', () => {
  it('moves the dirty bit from the ptes to the page, cleans both and writes the data to the backing store', () => {
    const m = run(world([shared, { op: 'write', addr: A }, { op: 'writeback', file: 'f', page: 0 }], file), {});
    expect(resultOf(m, 2)).toBe('written, version 2');
    expect(m.kernel.files.get('f')!.versionList(10)).toEqual([2, 1]);
    const page = pageAt(m, A);
    expect(page.flags & PG_dirty).toBe(0);
    expect(page.userWrites).toBe(0);
    expect(m.kernel.mms.get('A')!.pt.get(A)!.dirty).toBe(false);
    const evs = opEvents(m, 2);
    expect(evs.some((e) => e.kind === 'lock' && e.detail.startsWith('lock_page'))).toBe(true);
    expect(evs.some((e) => e.kind === 'sleep' && e.detail.includes('writepage'))).toBe(true);
    expect(m.violations).toEqual([]);
  });

  it('leaves a clean page alone and tells a page that is not cached', () => {
    const m = run(world([shared, { op: 'read', addr: A }, { op: 'writeback', file: 'f', page: 0 }, { op: 'writeback', file: 'f', page: 1 }], file), {});
    expect(resultOf(m, 2)).toBe('clean');
    expect(resultOf(m, 3)).toBe('not cached');
    expect(m.kernel.files.get('f')!.versionList(10)).toEqual([1, 1]);
  });

  it('a second CPU store after writeback dirties the pte again and is written by the next writeback', () => {
    const m = run(world([shared, { op: 'write', addr: A }, { op: 'writeback', file: 'f', page: 0 }, { op: 'write', addr: A }, { op: 'writeback', file: 'f', page: 0 }], file), {});
    expect(resultOf(m, 4)).toBe('written, version 3');
    expect(m.violations).toEqual([]);
  });

  it('sees a DMA pin only when pins are tracked (page_maybe_dma_pinned)', () => {
    const ops: OpSpec[] = [shared, { op: 'gup', addr: A, pages: 1, write: true, as: 'p' }, { op: 'writeback', file: 'f', page: 0 }, { op: 'release', pages: 'p', fn: 'put_user_page' }];
    const notes = (release: string) => opEvents(run(world(ops, file), { release }), 2).filter((e) => e.kind === 'note' && e.detail.includes('page_maybe_dma_pinned'));
    expect(notes('put_user_page')).toHaveLength(1);
    expect(notes('put_page')).toHaveLength(0);
  });

  it('a device write that writeback saw is saved; the one after it is not, unless the page is dirtied again', () => {
    const m = run(world([shared, { op: 'gup', addr: A, pages: 1, write: true, as: 'p' }, { op: 'dma-write', pages: 'p' }, { op: 'writeback', file: 'f', page: 0 }, { op: 'dma-write', pages: 'p' }, { op: 'release', pages: 'p', fn: 'put_user_pages_dirty' }, { op: 'writeback', file: 'f', page: 0 }], file), { release: 'put_user_page' });
    expect(resultOf(m, 3)).toBe('written, version 2');
    expect(resultOf(m, 6)).toBe('written, version 3');
    // saved, but by dirtying a page the filesystem had cleaned
    expect(violations(m)).toEqual(['dirty-after-writeback']);
  });
});

describe('writeback racing with a driver that pins, lets the device write, and dirties on release', () => {
  const race = (release: string): WorldSpec => ({
    files: [{ name: 'f', pages: 1 }],
    mms: [{ name: 'A' }],
    tasks: [
      { name: 'drv', mm: 'A', ops: [
        { op: 'mmap', addr: A, pages: 1, prot: 'rw-', shared: true, file: 'f' },
        { op: 'write', addr: A },
        { op: 'gup', addr: A, pages: 1, write: true, as: 'p' },
        { op: 'dma-write', pages: 'p' },
        { op: 'release', pages: 'p', fn: release === 'put_user_page' ? 'put_user_pages_dirty' : 'set_page_dirty+put_page' },
      ] },
      { name: 'flusher', ops: [{ op: 'writeback', file: 'f', page: 0 }] },
    ],
  });

  for (const release of ['put_page', 'put_user_page']) {
    it(`${release}: some schedule dirties a page the filesystem cleaned; running the flusher first or last does not`, () => {
      const w = race(release);
      expect(explore(w, { release }, has('dirty-after-writeback')).found).not.toBeNull();
      const drvFirst = run(w, { release });
      expect(violations(drvFirst)).toEqual([]);
    });
  }
});
