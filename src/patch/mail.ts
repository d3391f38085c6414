// Mail and thread reading: mbox files, single RFC 822 mails, MIME multipart with attachments,
// quoted-printable/base64 bodies, web-archive copies of threads (messages introduced by "Subject:" lines),
// and the subject conventions of kernel patches ([PATCH v2 3/6]) and their trailers.
import type { Problem } from './analysisModel';
import { decodeBase64, decodeHeaderWords, decodeQuotedPrintable } from './textDecode';

export interface MailMessage {
  subject: string;
  author?: string;
  date?: string;
  /** 1-based line of the analysed file where the message starts */
  line: number;
  /** decoded body lines that may hold diffs */
  lines: string[];
  /** for each body line, the 1-based line of the analysed file it came from */
  lineNos: number[];
  trailers: { key: string; value: string }[];
}

export interface SubjectInfo {
  /** "v2", or a kernel tree in brackets ("2.5.73-mm1"), or '' */
  version: string;
  index?: number;
  total?: number;
  /** subject without [..] prefixes and Re: */
  title: string;
}

const TRAILER_RE = /^\s*(Signed-off-by|Reviewed-by|Acked-by|Tested-by|Reported-by|Suggested-by|Co-developed-by|Cc|Fixes|Link):\s*(.+)$/;
const HEADER_RE = /^([A-Za-z][A-Za-z0-9-]*):[ \t]?(.*)$/;
const HEADER_NAMES = '(?:Message-I[Dd]|Date|From|To|Cc|CC|References|In-Reply-To|M[Ii][Mm][Ee]-Version|Content-[A-Za-z-]+|Sender|Return-Path|List-I[Dd]|User-Agent|Subject|Reply-To|X-[A-Za-z-]+)';
const KERNEL_VERSION_RE = /(?:^|[^\d.])(\d\.\d+\.\d+(?:-(?:rc|mm|pre|ac|bk|git)\d+)*)(?![\d.])/;

/** Split an input into messages. Never throws; anything unparseable becomes one headerless message. */
export function readMessages(text: string, source: string, problems: Problem[]): MailMessage[] {
  const lines = splitLines(text);
  const starts: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const s = lines[i];
    if (s.charCodeAt(0) === 70 /* F */ && s.startsWith('From ') && (i === 0 || lines[i - 1] === '') && isMboxFromLine(s)) {
      starts.push(i);
    }
  }
  const out: MailMessage[] = [];
  if (starts.length === 0) {
    if (lines.length > 0 && looksLikeHeaderBlock(lines)) {
      readOneMail(lines, 0, lines.length, out, source, problems);
    } else {
      splitArchive(lines, 0, lines.length, out);
    }
    return out;
  }
  if (starts[0] > 0) splitArchive(lines, 0, starts[0], out);
  for (let k = 0; k < starts.length; k++) {
    readOneMail(lines, starts[k], k + 1 < starts.length ? starts[k + 1] : lines.length, out, source, problems);
  }
  return out;
}

export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const s = lines[i];
    if (s.length > 0 && s.charCodeAt(s.length - 1) === 13) lines[i] = s.slice(0, -1);
  }
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function isMboxFromLine(s: string): boolean {
  // "From user@host Thu Jan  1 00:00:00 1970", "From 1234abcd Mon Sep 17 00:00:00 2001", "From mboxrd@z ..."
  return /^From \S+\s+\S{3} \S{3}\s+\d/.test(s) || /^From [0-9a-f]{40} /.test(s);
}

function looksLikeHeaderBlock(lines: string[]): boolean {
  let headers = 0;
  for (let i = 0; i < lines.length && i < 60; i++) {
    const s = lines[i];
    if (s === '') break;
    if (s.charCodeAt(0) === 32 || s.charCodeAt(0) === 9) continue;
    if (!HEADER_RE.test(s)) return false;
    headers++;
  }
  return headers >= 2;
}

interface Headers {
  map: Map<string, string>;
  end: number; // index of the first body line
}

function readHeaders(lines: string[], from: number, to: number): Headers {
  const map = new Map<string, string>();
  let i = from;
  let last = '';
  for (; i < to; i++) {
    const s = lines[i];
    if (s === '') { i++; break; }
    if ((s.charCodeAt(0) === 32 || s.charCodeAt(0) === 9) && last) {
      map.set(last, map.get(last) + ' ' + s.trim());
      continue;
    }
    const m = HEADER_RE.exec(s);
    if (!m) break; // not a header: the body starts here (mangled mail)
    last = m[1].toLowerCase();
    if (!map.has(last)) map.set(last, m[2]);
  }
  return { map, end: i };
}

function readOneMail(lines: string[], start: number, end: number, out: MailMessage[], source: string, problems: Problem[]): void {
  let first = start;
  const fromLine = lines[start];
  if (fromLine.startsWith('From ') && isMboxFromLine(fromLine)) {
    if (fromLine.length > 400 && /\sSubject:\s/.test(fromLine)) {
      // A whole mail flattened onto one line (web copies): headers are recovered by pattern,
      // the diff reader splits the rest using hunk counts.
      out.push(flattenedMail(lines, start, end));
      return;
    }
    first = start + 1;
  }
  const h = readHeaders(lines, first, end);
  const subject = decodeHeaderWords(h.map.get('subject') ?? '');
  const msg: MailMessage = {
    subject,
    author: h.map.has('from') ? decodeHeaderWords(h.map.get('from')!) : undefined,
    date: h.map.get('date'),
    line: start + 1,
    lines: [],
    lineNos: [],
    trailers: [],
  };
  readBody(lines, h.end, end, h.map, msg, source, problems, 0);
  bodyPseudoHeaders(msg);
  out.push(msg);
}

function flattenedMail(lines: string[], start: number, end: number): MailMessage {
  const s = lines[start];
  const head = s.slice(0, Math.min(s.length, 4000));
  const field = (name: string) => {
    const m = new RegExp(`\\s${name}:\\s+(.+?)\\s+(?=${HEADER_NAMES}:\\s)`).exec(head);
    return m ? m[1] : undefined;
  };
  const msg: MailMessage = {
    subject: field('Subject') ?? '',
    author: field('From'),
    date: field('Date'),
    line: start + 1,
    lines: [],
    lineNos: [],
    trailers: [],
  };
  for (let i = start; i < end; i++) {
    msg.lines.push(lines[i]);
    msg.lineNos.push(i + 1);
  }
  return msg;
}

function param(value: string | undefined, name: string): string | undefined {
  if (!value) return undefined;
  const m = new RegExp(`${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** MIME nesting read as parts; each level is a stack frame, so the depth is bounded */
export const MAX_MIME_DEPTH = 64;

function readBody(
  lines: string[], from: number, to: number, headers: Map<string, string>, msg: MailMessage,
  source: string, problems: Problem[], depth: number,
): void {
  const ctype = (headers.get('content-type') ?? 'text/plain').trim();
  const lower = ctype.toLowerCase();
  if (lower.startsWith('multipart/') && depth >= MAX_MIME_DEPTH) {
    // deeper than any mail client nests: read the rest as plain text (a diff in it is still found)
    problems.push({ file: source, line: from + 1, message: `MIME parts nested deeper than ${MAX_MIME_DEPTH} levels; the rest is read as plain text`, severity: 'warning' });
    for (let i = from; i < to; i++) {
      msg.lines.push(lines[i]);
      msg.lineNos.push(i + 1);
    }
    return;
  }
  if (lower.startsWith('multipart/')) {
    const boundary = param(ctype, 'boundary');
    if (!boundary) {
      problems.push({ file: source, line: from, message: 'multipart message without a boundary; read as plain text', severity: 'warning' });
    } else {
      const delim = '--' + boundary;
      let partStart = -1;
      let closed = false;
      for (let i = from; i < to; i++) {
        const s = lines[i];
        if (s.charCodeAt(0) === 45 && s.startsWith(delim)) {
          const rest = s.slice(delim.length).trim();
          if (rest !== '' && rest !== '--') continue;
          if (partStart >= 0) readPart(lines, partStart, i, msg, source, problems, depth);
          if (rest === '--') { partStart = -1; closed = true; break; }
          partStart = i + 1;
        }
      }
      if (partStart >= 0) {
        if (!closed) problems.push({ file: source, line: partStart, message: `MIME part not closed by --${boundary}--`, severity: 'warning' });
        readPart(lines, partStart, to, msg, source, problems, depth);
      }
      return;
    }
  }
  if (!isTextual(lower, headers)) return;
  const cte = (headers.get('content-transfer-encoding') ?? '').trim().toLowerCase();
  const charset = param(ctype, 'charset');
  if (cte === 'quoted-printable') {
    const dec = decodeQuotedPrintable(lines.slice(from, to), charset);
    for (let k = 0; k < dec.lines.length; k++) {
      msg.lines.push(dec.lines[k]);
      msg.lineNos.push(from + dec.origin[k] + 1);
    }
  } else if (cte === 'base64') {
    const text = decodeBase64(lines.slice(from, to), charset);
    for (const l of splitLines(text)) {
      msg.lines.push(l);
      msg.lineNos.push(from + 1);
    }
  } else {
    for (let i = from; i < to; i++) {
      msg.lines.push(lines[i]);
      msg.lineNos.push(i + 1);
    }
  }
}

function readPart(lines: string[], from: number, to: number, msg: MailMessage, source: string, problems: Problem[], depth: number): void {
  const h = readHeaders(lines, from, to);
  if (h.map.size === 0) {
    readBody(lines, from, to, new Map(), msg, source, problems, depth + 1);
  } else {
    readBody(lines, h.end, to, h.map, msg, source, problems, depth + 1);
  }
}

function isTextual(ctype: string, headers: Map<string, string>): boolean {
  if (ctype.startsWith('text/')) return true;
  if (ctype.includes('x-patch') || ctype.includes('x-diff')) return true;
  const name = param(headers.get('content-disposition'), 'filename') ?? param(headers.get('content-type'), 'name') ?? '';
  return ctype.startsWith('application/octet-stream') && /\.(patch|diff|txt)$/i.test(name);
}

/** Headerless text (web archive pages): a line "Subject: ..." starts a message. */
function splitArchive(lines: string[], from: number, to: number, out: MailMessage[]): void {
  let cur: MailMessage | undefined;
  const begin = (i: number, subject: string) => {
    cur = { subject, line: i + 1, lines: [], lineNos: [], trailers: [] };
    // the archive puts "by Author" and the date just above the subject
    for (let k = i - 1; k >= from && k >= i - 6; k--) {
      const b = /^by (.+)$/.exec(lines[k]);
      if (b && !cur.author) cur.author = b[1].trim();
      if (/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(lines[k]) && !cur.date) cur.date = lines[k];
    }
    out.push(cur);
  };
  for (let i = from; i < to; i++) {
    const s = lines[i];
    if (s.charCodeAt(0) === 83 /* S */ && s.startsWith('Subject:') && (i === from || !isDiffish(lines[i - 1]))) {
      if (cur) bodyPseudoHeaders(cur);
      begin(i, s.slice(8).trim());
      continue;
    }
    if (!cur) {
      // the first line of a copied mail is often its subject
      const t = s.trim();
      const title = t.length > 0 && t.length < 200 && !/^(?:diff |--- |\+\+\+ |@@ |Index: )/.test(t);
      begin(i, title ? t : '');
      if (title) continue;
    }
    cur!.lines.push(s);
    cur!.lineNos.push(i + 1);
  }
  if (cur) bodyPseudoHeaders(cur);
}

function isDiffish(s: string | undefined): boolean {
  return !!s && (s.startsWith('+') || s.startsWith('-') || s.startsWith('@@'));
}

/** "From:"/"Date:" lines at the top of a body, and trailers before the first diff. */
function bodyPseudoHeaders(msg: MailMessage): void {
  let nonEmpty = 0;
  for (let i = 0; i < msg.lines.length; i++) {
    const s = msg.lines[i];
    if (s.startsWith('diff ') || s.startsWith('--- ') || s.startsWith('Index: ')) break;
    if (s.trim() !== '') nonEmpty++;
    if (nonEmpty <= 6) {
      const m = /^(From|Date):\s+(.+)$/.exec(s);
      if (m) {
        if (m[1] === 'From') msg.author = m[2].trim();
        else if (!msg.date) msg.date = m[2].trim();
      }
    }
    const t = TRAILER_RE.exec(s);
    if (t) msg.trailers.push({ key: t[1], value: t[2].trim() });
  }
}

/** [PATCH v2 3/6], [RFC][PATCH], [PATCH 2.5.73-mm1], [patch 17/18] */
export function parseSubject(subject: string): SubjectInfo {
  const info: SubjectInfo = { version: '', title: subject };
  let rest = subject.trim();
  for (;;) {
    const m = /^(?:(?:Re|Fwd|Aw):\s*)*\[([^\]]*)\]\s*/i.exec(rest);
    if (!m) break;
    const tag = m[1];
    const v = /(?:^|\s)v(\d+)(?:\s|$)/i.exec(tag);
    if (v) info.version = 'v' + v[1];
    const n = /(?:^|\s)(\d+)\/(\d+)(?:\s|$)/.exec(tag);
    if (n) { info.index = Number(n[1]); info.total = Number(n[2]); }
    if (!info.version) {
      const kv = KERNEL_VERSION_RE.exec(tag);
      if (kv) info.version = kv[1];
    }
    rest = rest.slice(m[0].length);
  }
  info.title = rest.replace(/^(?:(?:Re|Fwd|Aw):\s*)+/i, '').trim();
  return info;
}

/** The kernel tree a diff was made against, from its path ("linux-2.5.70-mm2/mm/memory.c"). */
export function treeVersion(path: string): string {
  const slash = path.indexOf('/');
  const top = slash >= 0 ? path.slice(0, slash) : '';
  const m = KERNEL_VERSION_RE.exec(top);
  return m ? m[1] : '';
}
