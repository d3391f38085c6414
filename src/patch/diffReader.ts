// Unified diff reader for the diffs kernel people mail around: diff -u/-urN/-puN, git diff (renames,
// new/deleted/binary files), quilt "Index:" headers, CRLF, and damaged copies. The hunk header's line
// counts drive recovery: context lines that lost their leading space (web archives) are read as
// context while the counts say lines remain, and a whole mail flattened onto one line is split back
// into lines. Every problem is reported with its line and reading goes on; nothing here throws.
import type { Problem } from './analysisModel';
import { unjoinFlattenedLine } from './flattenedDiff';

export const CONTEXT = 32; // ' '
export const ADDED = 43; // '+'
export const REMOVED = 45; // '-'

export interface DiffLine {
  kind: number;
  /** the line without its diff marker */
  text: string;
  /** 1-based line in the analysed file */
  src: number;
  /** line number on the old / new side (0 when the line does not exist there) */
  oldNo: number;
  newNo: number;
}

export interface Hunk {
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  /** text after the second @@ (the enclosing function with diff -p) */
  section: string;
  src: number;
  lines: DiffLine[];
  /** every line the header announces was read */
  complete: boolean;
  /** how the body had to be repaired, if it had */
  repair?: 'stripped-context' | 'flattened' | 'overflow';
}

export interface FileDiff {
  oldPath: string;
  newPath: string;
  /** the path inside the tree, tree prefix (a/, linux-2.5.70/) removed */
  path: string;
  status: 'modified' | 'added' | 'deleted' | 'renamed';
  binary: boolean;
  src: number;
  /** the raw header line that started the file (for the tree version) */
  header: string;
  hunks: Hunk[];
  /** functions the patch's description names ("fix the locking in foo()"), for hunks that name none */
  mentioned?: string[];
}

export interface DiffReadResult {
  files: FileDiff[];
  hunksSeen: number;
  hunksRecovered: number;
}

const HUNK_RE = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;
const MAX_COUNT = 50_000_000;
const FLAT_HUNK_RE = /@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@/;

function stripTimestamp(p: string): string {
  // "--- a/x.c\t2003-05-26 18:00:58.000000000 -0700" or, with tabs lost, "--- a/x.c Mon May 26 18:00:58 2003"
  let s = p.length > 4096 ? p.slice(0, 4096) : p;
  const tab = s.indexOf('\t');
  if (tab >= 0) s = s.slice(0, tab);
  s = s.replace(/\s+(?:\d{4}-\d\d-\d\d[ T]\d\d:\d\d.*|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \w{3}\s+\d+ .*|\(revision \d+\)|\(working copy\))$/, '');
  s = s.trim();
  if (s.startsWith('"') && s.endsWith('"') && s.length > 1) s = s.slice(1, -1);
  return s;
}

/** Path inside the tree: drop a/ b/, and the top directory of diff -urN trees (linux-2.5.70-mm2/). */
export function treePath(p: string): string {
  if (p === '/dev/null') return p;
  let s = p.replace(/^\.\//, '');
  if (/^[ab]\//.test(s)) return s.slice(2);
  const slash = s.indexOf('/');
  if (slash > 0) {
    const top = s.slice(0, slash);
    const restStart = s.slice(slash + 1);
    // a tree directory (linux-2.6.git-paolo, 2.5.73-mm1, linux-2.6.orig) rather than a source directory
    if (/\d|\.orig$|^linux|^kernel|~/.test(top) && !/^(arch|drivers|fs|include|kernel|mm|net|sound|lib|init|ipc|security|crypto|block|scripts|tools|Documentation|usr|virt|samples)$/.test(top)) {
      s = restStart;
    } else if (/^(old|new|orig|cur|a|b)$/.test(top)) {
      s = restStart;
    }
  }
  s = s.replace(/~[^/]*$/, ''); // quilt/akpm "file.c~patch-name"
  return s;
}

function diffCommandPaths(line: string): [string, string] | undefined {
  // diff -urN -X dontdiff old/x.c new/x.c  |  diff -puN a/x.c~name a/x.c
  const toks = line.split(/\s+/).slice(1);
  const paths: string[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t === '') continue;
    if (t.startsWith('-')) {
      if (t === '-X' || t === '-x' || t === '-I' || t === '-U' || t === '-C' || t === '-F' || t === '-L') i++;
      continue;
    }
    paths.push(t);
  }
  if (paths.length < 2) return undefined;
  return [paths[paths.length - 2], paths[paths.length - 1]];
}

function isSignature(s: string): boolean {
  return s === '-- ' || s === '--';
}

/**
 * Read every file diff in `lines`. `lineNos[i]` is the analysed file's line for lines[i].
 * Returns partial results for damaged input and appends problems.
 */
export function readDiffs(linesIn: string[], lineNosIn: number[], source: string, problems: Problem[]): DiffReadResult {
  let lines = linesIn;
  let lineNos = lineNosIn;
  // 1 for lines that came out of a flattened line (a whole mail on one line, from web copies)
  let flattened: number[] | undefined;
  for (let i = 0; i < linesIn.length; i++) {
    const s = linesIn[i];
    if (s.length > 300 && s.indexOf(' @@ -') >= 0 && FLAT_HUNK_RE.test(s)) {
      if (!flattened) {
        lines = linesIn.slice(0, i);
        lineNos = lineNosIn.slice(0, i);
        flattened = new Array<number>(i).fill(0);
      }
      const parts = unjoinFlattenedLine(s);
      problems.push({ file: source, line: lineNosIn[i], message: `line of ${s.length} characters holds a flattened diff; split into ${parts.length} lines using the hunk headers`, severity: 'info' });
      for (const p of parts) {
        lines.push(p);
        lineNos.push(lineNosIn[i]);
        flattened.push(1);
      }
    } else if (flattened) {
      lines.push(s);
      lineNos.push(lineNosIn[i]);
      flattened.push(0);
    }
  }

  const files: FileDiff[] = [];
  let hunksSeen = 0;
  let hunksRecovered = 0;
  let cur: FileDiff | undefined;
  // a file opened by "diff"/"Index:" that still waits for its ---/+++ lines
  let pendingHeader = false;
  const n = lines.length;
  const newFile = (oldPath: string, newPath: string, i: number, header: string): FileDiff => {
    const f: FileDiff = {
      oldPath, newPath, path: treePath(newPath === '/dev/null' ? oldPath : newPath),
      status: 'modified', binary: false, src: lineNos[i], header, hunks: [],
    };
    files.push(f);
    return f;
  };

  let i = 0;
  while (i < n) {
    const s = lines[i];
    const c0 = s.charCodeAt(0);
    if (c0 === 100 /* d */ && s.startsWith('diff ')) {
      if (s.startsWith('diff --git ')) {
        const m = s.length < 4096 ? /^diff --git (?:"?a\/(.+?)"?) (?:"?b\/(.+?)"?)$/.exec(s) : null;
        const a = m ? m[1] : s.slice(11).split(' ')[0] ?? '';
        const b = m ? m[2] : s.slice(11).split(' ')[1] ?? a;
        cur = newFile('a/' + a, 'b/' + b, i, s);
        cur.path = b;
        pendingHeader = true;
        i++;
        // extended header lines
        while (i < n) {
          const h = lines[i];
          if (h.startsWith('new file mode')) cur.status = 'added';
          else if (h.startsWith('deleted file mode')) cur.status = 'deleted';
          else if (h.startsWith('rename from ')) { cur.status = 'renamed'; cur.oldPath = 'a/' + h.slice(12); }
          else if (h.startsWith('rename to ')) { cur.status = 'renamed'; cur.path = h.slice(10); }
          else if (h.startsWith('copy from ') || h.startsWith('copy to ')) { /* treated as modified */ }
          else if (h.startsWith('similarity index') || h.startsWith('dissimilarity index') || h.startsWith('index ') || h.startsWith('old mode') || h.startsWith('new mode')) { /* nothing */ }
          else if (h.startsWith('Binary files ')) { cur.binary = true; }
          else if (h.startsWith('GIT binary patch')) {
            cur.binary = true;
            i++;
            while (i < n && !lines[i].startsWith('diff ')) i++;
            break;
          } else break;
          i++;
        }
        continue;
      }
      const paths = diffCommandPaths(s);
      if (paths) {
        cur = newFile(paths[0], paths[1], i, s);
        pendingHeader = true;
      }
      i++;
      continue;
    }
    if (c0 === 73 /* I */ && s.startsWith('Index: ')) {
      const p = s.slice(7).trim();
      cur = newFile(p, p, i, s);
      pendingHeader = true;
      i++;
      if (i < n && /^=+$/.test(lines[i])) i++;
      continue;
    }
    if (c0 === 66 /* B */ && s.startsWith('Binary files ') && s.endsWith(' differ')) {
      const m = /^Binary files (.+) and (.+) differ$/.exec(s);
      if (m && !(cur && pendingHeader)) cur = newFile(m[1], m[2], i, s);
      if (cur) {
        cur.binary = true;
        if (m && m[1] === '/dev/null') cur.status = 'added';
        if (m && m[2] === '/dev/null') cur.status = 'deleted';
      }
      pendingHeader = false;
      i++;
      continue;
    }
    if (c0 === 45 /* - */ && s.startsWith('--- ') && i + 1 < n && lines[i + 1].startsWith('+++ ')) {
      const oldP = stripTimestamp(s.slice(4));
      const newP = stripTimestamp(lines[i + 1].slice(4));
      if (cur && pendingHeader) {
        cur.oldPath = oldP;
        cur.newPath = newP;
        if (cur.status !== 'renamed' && !cur.header.startsWith('diff --git')) cur.path = treePath(newP === '/dev/null' ? oldP : newP);
      } else {
        cur = newFile(oldP, newP, i, s);
      }
      if (oldP === '/dev/null') cur.status = 'added';
      else if (newP === '/dev/null') cur.status = 'deleted';
      pendingHeader = false;
      i += 2;
      continue;
    }
    if (c0 === 64 /* @ */ && s.startsWith('@@ ')) {
      const m = HUNK_RE.exec(s);
      if (!m) {
        problems.push({ file: source, line: lineNos[i], message: `malformed hunk header '${clip(s)}'`, severity: 'error' });
        hunksSeen++;
        i++;
        continue;
      }
      hunksSeen++;
      if (!cur) {
        problems.push({ file: source, line: lineNos[i], message: 'hunk without a file header; read under the name "?"', severity: 'warning' });
        cur = newFile('?', '?', i, s);
      }
      pendingHeader = false;
      const hunk: Hunk = {
        oldStart: Number(m[1]),
        oldCount: m[2] === undefined ? 1 : Number(m[2]),
        newStart: Number(m[3]),
        newCount: m[4] === undefined ? 1 : Number(m[4]),
        section: m[5] ?? '',
        src: lineNos[i],
        lines: [],
        complete: false,
      };
      if (hunk.oldCount > MAX_COUNT || hunk.newCount > MAX_COUNT) {
        problems.push({ file: source, line: lineNos[i], message: `hunk header announces ${hunk.oldCount}/${hunk.newCount} lines; counts capped`, severity: 'warning' });
        hunk.oldCount = Math.min(hunk.oldCount, MAX_COUNT);
        hunk.newCount = Math.min(hunk.newCount, MAX_COUNT);
      }
      i = flattened && flattened[i]
        ? readFlattenedHunk(lines, lineNos, i + 1, hunk, source, problems)
        : readHunk(lines, lineNos, i + 1, hunk, source, problems, cur.path);
      cur.hunks.push(hunk);
      if (hunk.complete) hunksRecovered++;
      continue;
    }
    i++;
  }
  for (const f of files) {
    if (f.status === 'modified' && f.oldPath !== f.newPath && f.header.startsWith('diff --git') && treePath(f.oldPath) !== f.path) f.status = 'renamed';
  }
  return { files, hunksSeen, hunksRecovered };
}

function clip(s: string): string {
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}

function isHeaderAhead(lines: string[], i: number): boolean {
  const s = lines[i];
  if (s.startsWith('@@ ')) return HUNK_RE.test(s);
  if (s.startsWith('diff ') || s.startsWith('Index: ')) return true;
  if (s.startsWith('--- ') && i + 1 < lines.length && lines[i + 1].startsWith('+++ ')) return true;
  return false;
}

/** Read a hunk body; returns the index of the first line after it. */
function readHunk(lines: string[], lineNos: number[], start: number, h: Hunk, source: string, problems: Problem[], path: string): number {
  let oldRem = h.oldCount;
  let newRem = h.newCount;
  let oldNo = h.oldStart;
  let newNo = h.newStart;
  let stripped = 0;
  let i = start;
  const n = lines.length;
  const push = (kind: number, text: string) => {
    h.lines.push({ kind, text, src: lineNos[i], oldNo: kind === ADDED ? 0 : oldNo, newNo: kind === REMOVED ? 0 : newNo });
    if (kind !== ADDED) oldNo++;
    if (kind !== REMOVED) newNo++;
  };
  while (i < n && (oldRem > 0 || newRem > 0)) {
    const s = lines[i];
    const c = s.charCodeAt(0);
    if (isHeaderAhead(lines, i)) break;
    if (c === 32) { push(CONTEXT, s.slice(1)); oldRem--; newRem--; }
    else if (c === 45) {
      if (isSignature(s)) break;
      if (oldRem === 0) break;
      push(REMOVED, s.slice(1)); oldRem--;
    } else if (c === 43) {
      if (newRem === 0) break;
      push(ADDED, s.slice(1)); newRem--;
    } else if (c === 92 /* \ No newline at end of file */) { /* nothing */ }
    else if (s.length === 0 || c === 9) {
      if (oldRem === 0 || newRem === 0) break;
      // a context line whose single leading space the mail stripped, or a tab-indented one that lost it
      push(CONTEXT, c === 9 ? s : '');
      oldRem--; newRem--;
      if (c === 9) stripped++;
    } else {
      if (oldRem === 0 || newRem === 0) break;
      push(CONTEXT, s);
      oldRem--; newRem--;
      stripped++;
    }
    i++;
  }
  if (oldRem === 0 && newRem === 0) {
    h.complete = true;
    // counts too small: removed/added lines keep coming before anything else
    let extra = 0;
    const over = i;
    while (i < n) {
      const s = lines[i];
      const c = s.charCodeAt(0);
      if ((c === 43 || c === 45) && !isSignature(s) && !isHeaderAhead(lines, i) && !(c === 45 && s.startsWith('---'))) {
        push(c, s.slice(1));
        extra++;
        i++;
      } else if (c === 32 && extra > 0 && i + 1 < n && (lines[i + 1].charCodeAt(0) === 43 || lines[i + 1].charCodeAt(0) === 45)) {
        push(CONTEXT, s.slice(1));
        i++;
      } else break;
    }
    if (extra > 0) {
      h.repair = 'overflow';
      problems.push({ file: source, line: lineNos[over], message: `${path}: hunk at line ${h.src} has ${extra} more changed line(s) than its header -${h.oldStart},${h.oldCount} +${h.newStart},${h.newCount} says; read them as part of it`, severity: 'warning' });
    }
  } else {
    problems.push({
      file: source, line: i < n ? lineNos[i] : lineNos[n - 1] ?? h.src,
      message: `${path}: hunk at line ${h.src} is truncated: ${oldRem} old and ${newRem} new line(s) of -${h.oldStart},${h.oldCount} +${h.newStart},${h.newCount} missing`,
      severity: 'error',
    });
  }
  if (stripped > 0 && !h.repair) {
    h.repair = 'stripped-context';
  }
  return i;
}

/** A hunk split out of a flattened line: context counts cannot be checked, changed lines can. */
function readFlattenedHunk(lines: string[], lineNos: number[], start: number, h: Hunk, source: string, problems: Problem[]): number {
  let i = start;
  let oldNo = h.oldStart;
  let newNo = h.newStart;
  let removed = 0;
  let added = 0;
  while (i < lines.length && !isHeaderAhead(lines, i) && !isSignature(lines[i])) {
    const s = lines[i];
    const c = s.charCodeAt(0);
    const kind = c === 45 ? REMOVED : c === 43 ? ADDED : CONTEXT;
    const text = kind === CONTEXT ? (c === 32 ? s.slice(1) : s) : s.slice(1).replace(/^ /, '');
    h.lines.push({ kind, text, src: lineNos[i], oldNo: kind === ADDED ? 0 : oldNo, newNo: kind === REMOVED ? 0 : newNo });
    if (kind !== ADDED) oldNo++;
    if (kind !== REMOVED) newNo++;
    if (kind === REMOVED) removed++;
    if (kind === ADDED) added++;
    i++;
  }
  h.repair = 'flattened';
  if (removed <= h.oldCount && added <= h.newCount && h.oldCount - removed === h.newCount - added) {
    h.complete = true;
  } else {
    problems.push({
      file: source, line: h.src,
      message: `flattened hunk -${h.oldStart},${h.oldCount} +${h.newStart},${h.newCount}: found ${removed} removed and ${added} added lines, which the counts do not allow`,
      severity: 'warning',
    });
  }
  return i;
}
