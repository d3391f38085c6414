// The C text helpers both the fragment facts and the source scanner use.

import { describe, it, expect } from 'vitest';

import { argSpans, matchingParen, openingParen } from '../../../src/patch/parens';

const texts = (t: string, r: ReturnType<typeof argSpans>) => r?.spans.map(([a, b]) => t.slice(a, b));

describe('parens', () => {
  it('matches parentheses both ways, nested', () => {
    const t = 'f(a, g(b), (c))';
    expect(matchingParen(t, 1)).toBe(t.length - 1);
    expect(openingParen(t, t.length - 1)).toBe(1);
    expect(matchingParen('f(a', 1)).toBe(-1);
  });
  it('splits top-level arguments, skipping nesting, strings and character literals', () => {
    const t = 'printk("a, (b", \',\', g(x, y), m[1, 2]) + 1';
    const r = argSpans(t, t.indexOf('('));
    expect(texts(t, r)).toEqual(['"a, (b"', " ','", ' g(x, y)', ' m[1, 2]']);
    expect(r!.close).toBe(t.lastIndexOf(')'));
  });
  it('an empty call has one empty span; an unclosed one, or one past the limit, none', () => {
    expect(texts('f()', argSpans('f()', 1))).toEqual(['']);
    expect(argSpans('f(a, b', 1)).toBeUndefined();
    expect(argSpans('f(a, b)', 1, 4)).toBeUndefined();
  });
  it('a comment inside gives up only when asked to', () => {
    const t = 'f(a /* x, y */, b)';
    expect(argSpans(t, 1, t.length, true)).toBeUndefined();
    // otherwise the comment is skipped like a string: its comma separates nothing
    expect(texts(t, argSpans(t, 1))).toEqual(['a /* x, y */', ' b']);
    expect(texts('f(a, ")", \'(\')', argSpans('f(a, ")", \'(\')', 1))).toEqual(['a', ' ")"', " '('"]);
  });
});
