import { isCommentStart, matchingBracket, skipLexeme } from './cScan';

/** Index of the ')' matching the '(' at `open` in C text (comments, strings and character literals
 * skipped), or -1 when it is not closed. */
export function matchingParen(t: string, open: number): number {
  return matchingBracket(t, open);
}

/** Index of the '(' matching the ')' at `close` in C text, or -1. */
export function openingParen(t: string, close: number): number {
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    const c = t.charCodeAt(i);
    if (c === 41) depth++;
    else if (c === 40) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/**
 * The top-level arguments of a call whose '(' is at `open`: each as [start, end) in `t`, and the
 * index of the closing ')'. Comments, strings and character literals are skipped; undefined when the
 * call is not closed before `limit`, or (with `stopAtComment`) when a comment sits inside it.
 */
export function argSpans(
  t: string,
  open: number,
  limit = t.length,
  stopAtComment = false,
): { spans: [number, number][]; close: number } | undefined {
  const spans: [number, number][] = [];
  let depth = 0;
  let start = open + 1;
  const end = Math.min(t.length, limit);
  for (let i = open; i < end; i++) {
    const c = t.charCodeAt(i);
    if (stopAtComment && isCommentStart(t, i)) return undefined;
    const after = skipLexeme(t, i);
    if (after !== i) {
      i = after - 1;
      continue;
    }
    if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) {
      depth--;
      if (depth === 0) {
        spans.push([start, i]);
        return { spans, close: i };
      }
    } else if (c === 44 && depth === 1) {
      spans.push([start, i]);
      start = i + 1;
    }
  }
  return undefined;
}
