// The edit a hunk's new side is parsed with, incrementally from its old side's tree: tree-sitter
// trusts its rows and columns, so they must be exact.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { editBetween } from '../../../src/patch/fragmentCache';

function point(t: string, index: number): { row: number; column: number } {
  const before = t.slice(0, index).split('\n');
  return { row: before.length - 1, column: before[before.length - 1].length };
}

describe('editBetween', () => {
  it('keeps the common prefix and suffix and gives the rows and columns of both ends', () => {
    const a = 'int f(void)\n{\n\treturn 0;\n}\n';
    const b = 'int f(void)\n{\n\tspin_lock(&l);\n\treturn 1;\n}\n';
    const e = editBetween(a, b);
    expect(e.startIndex).toBe(a.indexOf('return'));
    expect(e.startPosition).toEqual({ row: 2, column: 1 });
    expect(a.slice(e.oldEndIndex)).toBe(b.slice(e.newEndIndex));
    expect(e.oldEndPosition).toEqual(point(a, e.oldEndIndex));
    expect(e.newEndPosition).toEqual(point(b, e.newEndIndex));
  });

  it('agrees with a plain count for any pair of texts', () => {
    const text = fc.stringMatching(/^[ab\n]{0,40}$/);
    fc.assert(
      fc.property(text, text, (a, b) => {
        const e = editBetween(a, b);
        expect(a.slice(0, e.startIndex)).toBe(b.slice(0, e.startIndex));
        expect(a.slice(e.oldEndIndex)).toBe(b.slice(e.newEndIndex));
        expect(e.startPosition).toEqual(point(a, e.startIndex));
        expect(e.oldEndPosition).toEqual(point(a, e.oldEndIndex));
        expect(e.newEndPosition).toEqual(point(b, e.newEndIndex));
      }),
      { numRuns: 2000 },
    );
  });
});
