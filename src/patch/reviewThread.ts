// Review replies in a thread: the diff a reply quotes is read like a patch and marked as quoted; when
// the thread also holds the patch itself, the quoted copy is dropped (the patch is reported once) and
// the reviewer's comments are attached to the patch's own lines.
import type { Analysis, PatchInfo, Problem, ReviewComment } from './analysisModel';
import { ADDED, REMOVED, readDiffs, type DiffLine, type FileDiff } from './diffReader';
import type { MailMessage } from './mail';
import { hasQuotedDiff, recoverQuotedDiff } from './quotedDiff';

export interface QuotedUnit {
  message: MailMessage;
  files: FileDiff[];
  depth: number;
  attribution?: string;
  /** comments with the quoted diff line each follows (undefined: a header line) */
  comments: { text: string; line: number; file: string; at?: DiffLine; headerText: string; headerLine: number; author?: string }[];
}

/** The diff quoted in a message, or undefined; a quote that looks like a diff but yields no hunk is a problem. */
export function readQuoted(m: MailMessage, source: string, problems: Problem[], coverage: Analysis['coverage']): QuotedUnit | undefined {
  if (!hasQuotedDiff(m.lines)) return undefined;
  const q = recoverQuotedDiff(m.lines, m.lineNos);
  if (!q) return undefined;
  const own: Problem[] = [];
  const r = readDiffs(q.lines, q.lineNos, source, own);
  coverage.hunksSeen += r.hunksSeen;
  coverage.hunksRecovered += r.hunksRecovered;
  const where = `the diff quoted in "${m.subject || 'a reply'}"`;
  // a reviewer trims what the comment is not about: a cut hunk is expected, not an error
  for (const p of own) problems.push({ ...p, message: `${where}: ${p.message}`, severity: p.severity === 'error' ? 'warning' : p.severity });
  const lines = r.files.reduce((n, f) => n + f.hunks.reduce((k, h) => k + h.lines.length, 0), 0);
  if (lines === 0) {
    problems.push({ file: source, line: q.lineNos[0] ?? m.line, message: `${where} looks like a diff (quote depth ${q.depth}) but no hunk line could be recovered from it`, severity: 'warning' });
    return undefined;
  }
  // each quoted line's diff line, by its line in the analysed file
  const bySrc = new Map<number, { file: FileDiff; line: DiffLine }>();
  for (const f of r.files) for (const h of f.hunks) for (const l of h.lines) if (!bySrc.has(l.src)) bySrc.set(l.src, { file: f, line: l });
  const comments: QuotedUnit['comments'] = [];
  for (const c of q.comments) {
    let hit: { file: FileDiff; line: DiffLine } | undefined;
    for (let k = c.after; k >= 0 && !hit; k--) hit = bySrc.get(q.lineNos[k]);
    const header = c.after >= 0 ? q.lines[c.after] : '';
    const file = hit?.file ?? r.files[0];
    // words quoted from an earlier reply are that reply's writer's
    const author = c.depth === 0 ? m.author : q.attributions[c.depth];
    comments.push({ text: c.text, line: c.line, file: file.path, at: hit?.line, headerText: header, headerLine: c.after >= 0 ? q.lineNos[c.after] : m.line, ...(author ? { author } : {}) });
  }
  return { message: m, files: r.files, depth: q.depth, attribution: q.attribution, comments };
}

function marker(l: DiffLine): string {
  return (l.kind === ADDED ? '+' : l.kind === REMOVED ? '-' : ' ') + l.text;
}

function lineKey(path: string, l: DiffLine): string {
  return `${path}\0${l.kind}\0${l.oldNo}\0${l.newNo}\0${l.text.trim()}`;
}

/** Does `orig` hold every changed line the quote shows, at the same place? */
function quotes(orig: FileDiff[], quoted: FileDiff[]): Map<string, DiffLine> | undefined {
  const index = new Map<string, DiffLine>();
  for (const f of orig) for (const h of f.hunks) for (const l of h.lines) index.set(lineKey(f.path, l), l);
  let changed = 0;
  for (const f of quoted) {
    for (const h of f.hunks) {
      for (const l of h.lines) {
        if (l.kind === ADDED || l.kind === REMOVED) {
          changed++;
          if (!index.has(lineKey(f.path, l))) return undefined;
        }
      }
    }
  }
  return changed > 0 ? index : undefined;
}

export interface ThreadUnit {
  info: PatchInfo;
  files: FileDiff[];
  version: string;
  subject: string;
}

/**
 * Fold the quoted diffs into the thread: a quote of a patch the thread holds adds only its comments
 * (on the patch's lines); any other quote becomes a patch of its own, marked as quoted.
 */
export function foldQuoted<U extends ThreadUnit>(units: U[], quotedUnits: { q: QuotedUnit; unit: U }[]): { units: U[]; comments: ReviewComment[] } {
  const comments: ReviewComment[] = [];
  const kept = units.filter((u) => !quotedUnits.some((x) => x.unit === u));
  const originals = [...kept];
  for (const { q, unit } of quotedUnits) {
    const reply = q.message.subject;
    const author = q.message.author;
    const title = reply.replace(/^(?:(?:Re|Fwd|Aw):\s*)+/i, '');
    let target: U | undefined;
    let index: Map<string, DiffLine> | undefined;
    for (const o of originals) {
      index = quotes(o.files, q.files);
      if (index) { target = o; break; }
    }
    if (!target) {
      unit.info.quoted = { reply, ...(author ? { author } : {}), line: q.message.line, depth: q.depth, ...(q.attribution ? { attribution: q.attribution } : {}) };
      kept.push(unit);
      target = unit;
    }
    for (const c of q.comments) {
      const own = c.at && index ? index.get(lineKey(c.file, c.at)) : undefined;
      const at = own ?? c.at;
      comments.push({
        file: c.file,
        line: at ? at.src : c.headerLine,
        on: at ? marker(at) : c.headerText,
        ...(at ? { sourceLine: at.kind === REMOVED ? at.oldNo : at.newNo } : {}),
        text: c.text,
        commentLine: c.line,
        reply,
        ...(c.author ? { author: c.author } : {}),
        patch: target === unit ? title : target.subject,
        ...(target.version ? { version: target.version } : {}),
      });
    }
  }
  kept.sort((a, b) => a.info.line - b.info.line);
  return { units: kept, comments };
}
