// Diffs quoted in review replies: "> +foo", ">> @@ -1,3 +1,4 @@", "> > -bar", with the reviewer's
// comments between the quoted lines. The quoted diff is taken back out (the quote prefix removed, the
// comments set aside) so the diff reader reads it like any other; each comment remembers the quoted
// line it follows, so it can be attached to that hunk line.

/** A quoted diff recovered from a message body. */
export interface QuotedDiff {
  /** quote depth of the diff (1 for "> ", 2 for ">> " or "> > ") */
  depth: number;
  /** the diff lines with the quote prefix removed, and the analysed file's line of each */
  lines: string[];
  lineNos: number[];
  /** the reviewers' comments: the index in `lines` of the quoted line each follows (-1: before any), and
   * the quote depth the comment itself has (0: written in this reply, 1: quoted from the reply before) */
  comments: { after: number; line: number; text: string; depth: number }[];
  /** who wrote the text at each quote depth, from the "<name> wrote:" lines ([2] is the diff's at depth 2) */
  attributions: string[];
  /** the attribution of the quoted diff, when present */
  attribution?: string;
}

const DIFF_START = /^(?:diff |--- |\+\+\+ |@@ -\d|Index: )/;

/** Number of '>' levels of a line ("> > x" and ">> x" are both 2), and where its text starts. */
export function quoteLevel(s: string): { depth: number; textAt: number } {
  let i = 0;
  let depth = 0;
  while (i < s.length && s.charCodeAt(i) === 62 /* > */) {
    depth++;
    i++;
    // "> > x": the blank between two levels belongs to the prefix
    if (s.charCodeAt(i) === 32 && s.charCodeAt(i + 1) === 62) i++;
  }
  return { depth, textAt: i };
}

/** The text of a line quoted at `depth`, with the one blank the quoting added removed. */
function unquoted(s: string, textAt: number): string {
  return s.charCodeAt(textAt) === 32 ? s.slice(textAt + 1) : s.slice(textAt);
}

/** Does any quoted line start a diff? A cheap test before the full recovery. */
export function hasQuotedDiff(lines: string[]): boolean {
  for (const s of lines) {
    if (s.charCodeAt(0) !== 62) continue;
    const q = quoteLevel(s);
    if (DIFF_START.test(unquoted(s, q.textAt))) return true;
  }
  return false;
}

/**
 * Recover the quoted diff of a body: the depth whose lines start the most diff headers is the patch's,
 * lines at that depth from the first header on are diff lines, and every other non-blank line after it
 * (shallower: the reviewer's words; deeper: older quotes) is a comment on the diff line above it.
 */
export function recoverQuotedDiff(lines: string[], lineNos: number[]): QuotedDiff | undefined {
  const starts = new Map<number, number>();
  let first = -1;
  for (let i = 0; i < lines.length; i++) {
    const s = lines[i];
    if (s.charCodeAt(0) !== 62) continue;
    const q = quoteLevel(s);
    if (DIFF_START.test(unquoted(s, q.textAt))) starts.set(q.depth, (starts.get(q.depth) ?? 0) + 1);
  }
  if (starts.size === 0) return undefined;
  let depth = 0;
  for (const [d, n] of starts) if (n > (starts.get(depth) ?? 0) || (n === starts.get(depth) && d < depth)) depth = d;
  for (let i = 0; i < lines.length && first < 0; i++) {
    const q = quoteLevel(lines[i]);
    if (q.depth === depth && DIFF_START.test(unquoted(lines[i], q.textAt))) first = i;
  }
  const out: QuotedDiff = { depth, lines: [], lineNos: [], comments: [], attributions: [] };
  // "<name> wrote:" at depth k names the writer of the text at depth k + 1
  for (let i = 0; i < first; i++) {
    const q = quoteLevel(lines[i]);
    const t = lines[i].slice(q.textAt).trim();
    const w = q.depth < depth ? writerOf(t) : undefined;
    if (w) out.attributions[q.depth + 1] = w;
  }
  out.attribution = out.attributions[depth];
  let comment: string[] = [];
  let commentLine = 0;
  let commentDepth = 0;
  const flush = () => {
    while (comment.length && comment[comment.length - 1] === '') comment.pop();
    if (comment.length) out.comments.push({ after: out.lines.length - 1, line: commentLine, text: comment.join('\n'), depth: commentDepth });
    comment = [];
  };
  for (let i = first; i < lines.length; i++) {
    const s = lines[i];
    const q = quoteLevel(s);
    if (q.depth === depth) {
      flush();
      out.lines.push(unquoted(s, q.textAt));
      out.lineNos.push(lineNos[i]);
      continue;
    }
    const t = q.depth === 0 ? s.trimEnd() : unquoted(s, q.textAt).trimEnd();
    if (t === '') {
      if (comment.length) comment.push('');
      continue;
    }
    // a signature ends the reply's comments
    if (q.depth === 0 && (s === '-- ' || s === '--')) break;
    // each writer's words are a comment of their own
    if (comment.length && q.depth !== commentDepth) flush();
    if (comment.length === 0) {
      commentLine = lineNos[i];
      commentDepth = q.depth;
    }
    comment.push(t);
  }
  flush();
  return out;
}

/** "On Fri, 27 Jun 2003, Andrew Morton <akpm@digeo.com> wrote:" -> "Andrew Morton <akpm@digeo.com>" */
function writerOf(t: string): string | undefined {
  const w = /^(.*?)\s+(?:wrote|writes):\s*$/.exec(t);
  if (!w) return undefined;
  let s = w[1].replace(/^--\s*/, '');
  const time = /\d\d:\d\d(?::\d\d)?(?:\s*[-+]\d{4})?(?:\s*\([A-Z]+\))?,?\s*(.+)$/.exec(s);
  if (time) s = time[1];
  else if (/^On\s/.test(s)) s = s.slice(s.lastIndexOf(', ') + 2);
  return s.trim() || undefined;
}
