import { describe, expect, it } from 'vitest';

import { lineAt, lineStarts } from '../../../src/patch/lineStarts';

describe('line starts', () => {
  it('records where each line starts and finds the line of an offset', () => {
    const text = 'ab\n\ncde\nf';
    const s = lineStarts(text);
    expect([...s]).toEqual([0, 3, 4, 8]);
    expect([0, 2, 3, 4, 7, 8, 9].map((o) => lineAt(s, o))).toEqual([0, 0, 1, 2, 2, 3, 3]);
  });

  it('a text without a newline is one line', () => {
    const s = lineStarts('x');
    expect([...s]).toEqual([0]);
    expect(lineAt(s, 0)).toBe(0);
  });
});
