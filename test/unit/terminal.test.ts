// Terminal output shows control and bidi characters escaped instead of obeying them.
import { describe, expect, it } from 'vitest';

import { terminalOut, terminalSafe } from '../../src/cli/terminal';

describe('terminalSafe', () => {
  it('escapes what a terminal would obey, keeps newlines, tabs and ordinary text', () => {
    expect(terminalSafe('a\x1b]0;pwned\x07b')).toBe('a\\x1b]0;pwned\\x07b');
    expect(terminalSafe('\x1b[2Jclear')).toBe('\\x1b[2Jclear');
    expect(terminalSafe('line\r\noverwrite')).toBe('line\\x0d\noverwrite');
    expect(terminalSafe('\u009b31m C1 CSI')).toBe('\\x9b31m C1 CSI');
    expect(terminalSafe('gnp.\u202eexe')).toBe('gnp.\\u202eexe');
    expect(terminalSafe('\u2067isolate\u2069')).toBe('\\u2067isolate\\u2069');
    expect(terminalSafe('do_no_page\tstruct page *\\n é 日本')).toBe('do_no_page\tstruct page *\\n é 日本');
  });

  it('stdout stays exact for JSON, stderr is always escaped', () => {
    const got: string[] = [];
    const io = terminalOut({ out: (s) => got.push(`out ${s}`), err: (s) => got.push(`err ${s}`) }, true);
    io.out('{"title":"\u202e"}');
    io.err('x\x1by');
    expect(got).toEqual(['out {"title":"\u202e"}', 'err x\\x1by']);
  });
});
