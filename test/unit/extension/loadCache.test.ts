// The scenario library's cache: loaded once for any number of callers, again after an invalidation,
// a failed load not kept.
import { describe, expect, it } from 'vitest';

import { LoadCache } from '../../../src/extension/loadCache';

describe('LoadCache', () => {
  it('loads once for concurrent and later callers, again after invalidate', async () => {
    let n = 0;
    const c = new LoadCache(async () => {
      await new Promise((r) => setTimeout(r, 5));
      return ++n;
    });
    expect(await Promise.all([c.get(), c.get()])).toEqual([1, 1]);
    expect(await c.get()).toBe(1);
    expect(c.loads).toBe(1);
    c.invalidate();
    expect(await c.get()).toBe(2);
    expect(c.loads).toBe(2);
  });

  it('a load invalidated while under way answers its callers but is not kept', async () => {
    let n = 0;
    const c = new LoadCache(async () => {
      await new Promise((r) => setTimeout(r, 5));
      return ++n;
    });
    const first = c.get();
    c.invalidate();
    expect(await first).toBe(1);
    expect(await c.get()).toBe(2);
  });

  it('a failed load is tried again', async () => {
    let fail = true;
    const c = new LoadCache(() => (fail ? Promise.reject(new Error('unreadable')) : Promise.resolve('ok')));
    await expect(c.get()).rejects.toThrow('unreadable');
    fail = false;
    expect(await c.get()).toBe('ok');
  });
});
