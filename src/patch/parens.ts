/** Index of the ')' matching the '(' at `open` in C text, or -1 when it is not closed. */
export function matchingParen(t: string, open: number): number {
  let depth = 0;
  for (let i = open; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 40) depth++;
    else if (c === 41) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
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
