// A small C lexer over a fragment's lines, cheaper than asking the syntax tree: brace depth at each
// row (which function a line belongs to, how to balance the fragment for the parser), comments with
// their text, and member assignments (".nopage = fn", "vma->vm_ops = &ops").
import type { CommentFact, InitFact } from './cFacts';

export interface Lexed {
  /** brace depth at the start of each row (and after the last) */
  depth: Int32Array;
  startsInComment: boolean;
  endsInComment: boolean;
  comments: CommentFact[];
  /** ".member = value" and "->member = value" */
  inits: InitFact[];
}

const INIT_RE = /(?:\.|->)\s*([A-Za-z_]\w*)\s*=(?!=)\s*([^,;}]+?)\s*(?=[,;}]|$)/g;

/**
 * One pass over a fragment's lines: brace depths, comments (with their text) and member assignments,
 * skipping strings and character literals. A fragment whose first comment delimiter is a closing one
 * starts inside a comment.
 */
export function lexFragment(lines: string[]): Lexed {
  let startsInComment = false;
  for (const l of lines) {
    const c = l.indexOf('*/');
    const o = l.indexOf('/*');
    if (c >= 0 && (o < 0 || c < o)) {
      startsInComment = true;
      break;
    }
    if (o >= 0) break;
  }
  const depth = new Int32Array(lines.length + 1);
  const comments: CommentFact[] = [];
  const inits: InitFact[] = [];
  let d = 0;
  let inComment = startsInComment;
  let commentStart = 0;
  let commentText: string[] = [];
  for (let r = 0; r < lines.length; r++) {
    depth[r] = d;
    const s = lines[r];
    const n = s.length;
    let segStart = inComment ? 0 : -1;
    let code = '';
    let codeFrom = 0;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (inComment) {
        if (c === 42 && s.charCodeAt(i + 1) === 47) {
          inComment = false;
          i++;
          commentText.push(s.slice(segStart < 0 ? 0 : segStart, i + 1));
          comments.push({
            line: commentStart,
            endLine: r,
            text: (startsInComment && comments.length === 0 && commentStart === 0 ? '/*' : '') + commentText.join('\n'),
          });
          commentText = [];
          segStart = -1;
          codeFrom = i + 1;
        }
        continue;
      }
      if (c === 47) {
        const c2 = s.charCodeAt(i + 1);
        if (c2 === 42) {
          code += s.slice(codeFrom, i);
          inComment = true;
          commentStart = r;
          segStart = i;
          i++;
          continue;
        }
        if (c2 === 47) {
          code += s.slice(codeFrom, i);
          codeFrom = n;
          comments.push({ line: r, endLine: r, text: s.slice(i) });
          break;
        }
      } else if (c === 34 || c === 39) {
        i++;
        while (i < n && s.charCodeAt(i) !== c) {
          if (s.charCodeAt(i) === 92) i++;
          i++;
        }
      } else if (c === 123) d++;
      else if (c === 125) d--;
      else if (c === 35 && s.slice(0, i).trim() === '') {
        codeFrom = n;
        break;
      } // preprocessor line: no braces that count
    }
    if (inComment) commentText.push(s.slice(segStart < 0 ? 0 : segStart));
    if (codeFrom < n) code += s.slice(codeFrom);
    if (code.indexOf('=') > 0) {
      INIT_RE.lastIndex = 0;
      for (let m = INIT_RE.exec(code); m; m = INIT_RE.exec(code)) inits.push({ member: m[1], value: m[2].replace(/\s+/g, ' '), line: r });
    }
  }
  depth[lines.length] = d;
  return { depth, startsInComment, endsInComment: inComment, comments, inits };
}
