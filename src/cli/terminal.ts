// What reaches a terminal: text from a scenario or a patch (titles, descriptions, labels, op names,
// subjects) may carry control sequences (ESC ]0;... BEL retitles the window, ESC [2J clears it) or
// bidi controls (U+202E reorders what follows). They are shown escaped, \x1b and \u202e, so the
// terminal displays them instead of obeying them. JSON output is exact: JSON.stringify escapes C0.

/** C0 except newline and tab, DEL, C1; and the bidi embedding, override, isolate and mark characters */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(s: string): string {
  return s.replace(UNSAFE, (c) => {
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

export interface TextOut {
  out(s: string): void;
  err(s: string): void;
}

/** An output pair that escapes what it prints; `exactOut` leaves stdout alone (JSON). */
export function terminalOut(io: TextOut, exactOut = false): TextOut {
  return {
    out: exactOut ? (s) => io.out(s) : (s) => io.out(terminalSafe(s)),
    err: (s) => io.err(terminalSafe(s)),
  };
}
