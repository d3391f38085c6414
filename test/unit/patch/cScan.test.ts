// The shared C token scanning: comments, strings, character literals and preprocessor lines skipped,
// brackets matched across them.
import { describe, expect, it } from 'vitest';

import { directiveEnd, isDirectiveStart, matchingBracket, skipLexeme } from '../../../src/patch/cScan';
import { argSpans, matchingParen } from '../../../src/patch/parens';
import { splitFunctions } from '../../../src/patch/sourceScanner';

describe('C token scanning', () => {
  it('comments: a block comment ends after its close, a line comment before its newline, an unclosed one at the end', () => {
    const t = 'a /* x ) */ b // y )\nc /* open';
    expect(skipLexeme(t, 2)).toBe(t.indexOf('*/') + 2);
    expect(skipLexeme(t, t.indexOf('//'))).toBe(t.indexOf('\n'));
    expect(skipLexeme(t, t.lastIndexOf('/*'))).toBe(t.length);
    expect(skipLexeme(t, 0)).toBe(0);
    // a division is no comment
    expect(skipLexeme('a / b', 2)).toBe(2);
  });

  it('strings and character literals: escapes followed, a broken literal stops at its newline', () => {
    const t = String.raw`s = "a \" ) /* b"; c = ')'; d = '\''; e = "cut` + '\nnext';
    const s = t.indexOf('"');
    expect(t.slice(s, skipLexeme(t, s))).toBe(String.raw`"a \" ) /* b"`);
    const c = t.indexOf("')'");
    expect(t.slice(c, skipLexeme(t, c))).toBe("')'");
    const d = t.indexOf(String.raw`'\''`);
    expect(t.slice(d, skipLexeme(t, d))).toBe(String.raw`'\''`);
    const e = t.lastIndexOf('"');
    expect(skipLexeme(t, e)).toBe(t.indexOf('\n'));
  });

  it('preprocessor lines: only at the start of a line, continuations followed', () => {
    const t = '  #define F(x) \\\n  ((x) + 1)\nint a = b # c;\n#endif';
    expect(isDirectiveStart(t, 2)).toBe(true);
    expect(isDirectiveStart(t, t.indexOf('# c'))).toBe(false);
    expect(directiveEnd(t, 2)).toBe(t.indexOf('\nint'));
    expect(isDirectiveStart(t, t.lastIndexOf('#'))).toBe(true);
    expect(directiveEnd(t, t.lastIndexOf('#'))).toBe(t.length);
    // CRLF continuation
    const w = '#if A \\\r\n  && B\r\nx';
    expect(directiveEnd(w, 0)).toBe(w.lastIndexOf('\n'));
  });

  it('nested brackets matched across comments, strings and character literals', () => {
    const t = 'f(a, g(b, ")"), /* ) */ \'(\', h[(c)]) + 1';
    expect(matchingBracket(t, 1)).toBe(t.lastIndexOf(')'));
    expect(matchingBracket(t, t.indexOf('g(') + 1)).toBe(t.indexOf('")")') + 3);
    expect(matchingBracket(t, t.indexOf('['))).toBe(t.indexOf(']'));
    const body = '{ if (x) { s = "}"; } /* } */ }';
    expect(matchingBracket(body, 0)).toBe(body.length - 1);
    expect(matchingBracket('f(a, (b)', 1)).toBe(-1);
    expect(matchingBracket('f(a, b)', 1, 4)).toBe(-1);
    expect(matchingBracket('x', 0)).toBe(-1);
  });

  it('the readers built on it agree: functions split past braces in literals, comments and macros', () => {
    const src = [
      '#define OPEN { \\',
      '  0 }',
      "static int a(void) { char c = '}'; return c; /* } */ }",
      '// int fake(void) {',
      'int b(int x) { const char *s = "{"; return f(x, ")"); }',
      '',
    ].join('\n');
    expect(splitFunctions(src).fns.map((f) => f.name)).toEqual(['a', 'b']);
    const call = src.indexOf('f(x');
    expect(matchingParen(src, call + 1)).toBe(src.indexOf('; }', call) - 1);
    expect(argSpans(src, call + 1)?.spans.length).toBe(2);
  });
});
