// The functions each hunk of a C file touches, read from the patch alone (no tree, no parser): a
// definition header inside the hunk, the diff -p section, or the function a previous hunk of the
// same file left open. Cheap enough for the editor to run per document version (CodeLens).
import { REMOVED, type FileDiff } from './diffReader';
import { sectionFunction } from './fragments';

const KEYWORDS = /^(if|while|for|switch|return|sizeof|do|else|case)$/;
/** a definition header at the start of a line: "static int do_no_page(struct mm_struct *mm," (no ';' after it) */
const HEADER = /^(?:[A-Za-z_][\w*\s]*?[\s*])?([A-Za-z_]\w*)\s*\([^;]*$/;

/** the braces of a line outside strings, chars and comments (a comment left open carries over) */
function braceDelta(text: string, state: { comment: boolean }): number {
  let d = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (state.comment) {
      if (c === '*' && text[i + 1] === '/') {
        state.comment = false;
        i++;
      }
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      state.comment = true;
      i++;
    } else if (c === '/' && text[i + 1] === '/') break;
    else if (c === '"' || c === "'") {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
    } else if (c === '{') d++;
    else if (c === '}') d--;
  }
  return d;
}

/** per hunk of `file`, the functions its new-side lines belong to, in order of appearance */
export function hunkFunctions(file: FileDiff): string[][] {
  const out: string[][] = [];
  // the new side carries the function a hunk leaves open into the next one
  let open: { fn: string; depth: number } | undefined;
  for (const h of file.hunks) {
    const names: string[] = [];
    const add = (n: string): void => {
      if (n && !names.includes(n)) names.push(n);
    };
    const section = sectionFunction(h.section);
    let cur = open?.fn || section;
    let depth = open ? open.depth : section ? 1 : 0;
    const comment = { comment: false };
    let pending: string | undefined;
    for (const l of h.lines) {
      if (l.kind === REMOVED) continue;
      const t = l.text;
      // a header starts a definition at column 0; "{" may follow on a later line
      const m = depth === 0 && /^[A-Za-z_]/.test(t) ? HEADER.exec(t) : null;
      if (m && !KEYWORDS.test(m[1])) pending = m[1];
      const before = depth;
      depth = Math.max(0, depth + braceDelta(t, comment));
      if (before === 0 && depth > 0 && pending) {
        cur = pending;
        pending = undefined;
      }
      if (depth > 0 || before > 0) add(cur);
      if (depth === 0) cur = '';
    }
    // a hunk wholly inside a body its lines never open or close
    if (!names.length && (open?.fn || section)) add(open?.fn || section);
    out.push(names);
    open = depth > 0 && cur ? { fn: cur, depth } : undefined;
  }
  return out;
}
