// The C parser gives up on a fragment that takes longer than its limit (error recovery on garbage
// can go super-linear), and says so; within the limit it parses.

import { describe, it, expect } from 'vitest';

import { loadCParser } from '../../../src/patch/cParser';

// 600 functions (60 KB): some 30 ms of parsing on the CI machine, far more than a limit of 0 allows
// and far less than the default, even with other test files parsing beside it
const big = Array.from(
  { length: 600 },
  (_, i) => `static int f${i}(struct page *p) { if (!p) return -EFAULT; spin_lock(&l${i}); return g(p, ${i}); }`,
).join('\n');

describe('C parser time limit', () => {
  it('a fragment over the limit is given up with a message naming its size and the limit', async () => {
    const p = await loadCParser({ parseLimitMs: 0 });
    expect(() => p.parse(big)).toThrow(new RegExp(`fragment of ${big.length} characters took over 0 ms; given up`));
  });
  it('the same text parses under the default limit', async () => {
    const p = await loadCParser();
    const t = p.parse(big);
    expect(t.rootNode.namedChildCount).toBe(600);
    expect(t.rootNode.hasError).toBe(false);
    t.delete();
  });
});
