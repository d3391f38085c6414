// The C token scanning every reader of C text shares (the analyser, the source scanner, the
// interpreter's definition finder, the editor's quick fixes): where a comment, a string or character
// literal, or a preprocessor line ends, and which bracket closes an open one with those skipped.
// Kernel text only needs these: no trigraphs, no raw strings.

const SLASH = 47;
const STAR = 42;
const NL = 10;
const BACKSLASH = 92;
const DQUOTE = 34;
const QUOTE = 39;
const HASH = 35;

/**
 * The offset after the comment, string or character literal starting at `i`, or `i` when none starts
 * there. A line comment ends before its newline; a block comment after its '*' '/' (or at the end
 * of the text when unclosed); a string or character literal after its closing quote, or before the
 * newline that breaks it (a fragment cut mid-literal stops there, not at the end of the file).
 */
export function skipLexeme(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === SLASH) {
    const d = text.charCodeAt(i + 1);
    if (d === STAR) {
      const e = text.indexOf('*/', i + 2);
      return e < 0 ? text.length : e + 2;
    }
    if (d === SLASH) {
      const e = text.indexOf('\n', i);
      return e < 0 ? text.length : e;
    }
    return i;
  }
  if (c === DQUOTE || c === QUOTE) {
    let j = i + 1;
    while (j < text.length) {
      const d = text.charCodeAt(j);
      if (d === BACKSLASH) j += 2;
      else if (d === c) return j + 1;
      else if (d === NL) return j;
      else j++;
    }
    return text.length;
  }
  return i;
}

/** a comment starts at `i` (not a string or character literal) */
export function isCommentStart(text: string, i: number): boolean {
  if (text.charCodeAt(i) !== SLASH) return false;
  const d = text.charCodeAt(i + 1);
  return d === STAR || d === SLASH;
}

/** `i` holds '#' as the first non-blank of its line: a preprocessor directive */
export function isDirectiveStart(text: string, i: number): boolean {
  if (text.charCodeAt(i) !== HASH) return false;
  for (let k = i - 1; k >= 0; k--) {
    const c = text.charCodeAt(k);
    if (c === NL) return true;
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/** The offset of the newline ending the preprocessor line at `i` (continuations with a backslash
 * followed), or the end of the text. */
export function directiveEnd(text: string, i: number): number {
  for (let k = i; k < text.length; k++) {
    if (text.charCodeAt(k) !== NL) continue;
    // a backslash before the newline (or before "\r\n") continues the line
    const before = text.charCodeAt(k - 1) === 13 ? k - 2 : k - 1;
    if (text.charCodeAt(before) !== BACKSLASH) return k;
  }
  return text.length;
}

const CLOSER: Record<number, number> = { 40: 41, 91: 93, 123: 125 };

/**
 * The offset of the bracket closing the '(', '[' or '{' at `open`, with comments, strings and
 * character literals skipped (their brackets do not count), or -1 when it is not closed before `limit`.
 * Only brackets of the same kind are counted.
 */
export function matchingBracket(text: string, open: number, limit = text.length): number {
  const o = text.charCodeAt(open);
  const cl = CLOSER[o];
  if (cl === undefined) return -1;
  const end = Math.min(limit, text.length);
  let depth = 0;
  for (let i = open; i < end;) {
    const j = skipLexeme(text, i);
    if (j !== i) {
      i = j;
      continue;
    }
    const c = text.charCodeAt(i);
    if (c === o) depth++;
    else if (c === cl && --depth === 0) return i;
    i++;
  }
  return -1;
}
