// Bytes to text for patches as they arrive from mail archives: UTF-8 when it is valid, otherwise
// Windows-1252 (a superset of Latin-1, what old list mail mostly used), and MIME transfer encodings.
import type { Problem } from './analysisModel';

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });
const latin = new TextDecoder('windows-1252');

/** Decode a whole input. Invalid UTF-8 falls back to Windows-1252 and is reported once, at its line. */
export function decodeInput(bytes: Uint8Array | string, source: string, problems: Problem[]): string {
  if (typeof bytes === 'string') return bytes;
  try {
    return utf8Fatal.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = 0; i < at; i++) if (bytes[i] === 10) line++;
    problems.push({
      file: source,
      line,
      message: `invalid UTF-8 at byte ${at}; lines that are not UTF-8 are read as Windows-1252`,
      severity: 'warning',
    });
    return decodeByLine(bytes);
  }
}

const utf8Lossy = new TextDecoder('utf-8');

/** Mixed input (a thread where one mail was Latin-1): UTF-8 where a line is valid UTF-8, Windows-1252 elsewhere. */
function decodeByLine(bytes: Uint8Array): string {
  const parts: string[] = [];
  let runStart = 0;
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    let e = bytes.indexOf(10, i);
    if (e < 0) e = n;
    const line = bytes.subarray(i, e);
    if (firstInvalidUtf8(line) < line.length) {
      if (i > runStart) parts.push(utf8Lossy.decode(bytes.subarray(runStart, i)));
      parts.push(latin.decode(bytes.subarray(i, Math.min(n, e + 1))));
      runStart = Math.min(n, e + 1);
    }
    i = e + 1;
  }
  if (runStart < n) parts.push(utf8Lossy.decode(bytes.subarray(runStart, n)));
  return parts.join('');
}

/** Offset of the first byte that breaks UTF-8 (lenient about overlongs: only the decoder's verdict matters). */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) { i++; continue; }
    let need: number;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) need = 2;
    else if (c >= 0xf0 && c <= 0xf4) need = 3;
    else return i;
    for (let k = 1; k <= need; k++) if (i + k >= n || (b[i + k] & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return n;
}

/** Decode a body in a charset named by a MIME header; unknown charsets read as UTF-8 (lossy). */
export function decodeCharset(bytes: Uint8Array, charset: string | undefined): string {
  const cs = (charset ?? 'utf-8').toLowerCase().replace(/^"|"$/g, '');
  if (cs === 'utf-8' || cs === 'utf8' || cs === 'us-ascii' || cs === 'ascii') {
    try {
      return utf8Fatal.decode(bytes);
    } catch {
      return latin.decode(bytes);
    }
  }
  try {
    return new TextDecoder(cs).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/**
 * Quoted-printable (RFC 2045) decode of lines, keeping for each decoded line the index of the
 * encoded line it starts on, so problems still point at the analysed file.
 */
export function decodeQuotedPrintable(lines: string[], charset: string | undefined): { lines: string[]; origin: number[] } {
  const outLines: string[] = [];
  const origin: number[] = [];
  let bytes: number[] = [];
  let start = 0;
  let open = false;
  const flush = () => {
    outLines.push(decodeCharset(Uint8Array.from(bytes), charset));
    origin.push(start);
    bytes = [];
    open = false;
  };
  for (let li = 0; li < lines.length; li++) {
    let s = lines[li];
    if (!open) { start = li; open = true; }
    let soft = false;
    // trailing whitespace is not part of the encoded text
    let end = s.length;
    while (end > 0 && (s.charCodeAt(end - 1) === 32 || s.charCodeAt(end - 1) === 9)) end--;
    if (end > 0 && s.charCodeAt(end - 1) === 61 /* = */) { soft = true; end--; }
    s = s.slice(0, end);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 61 && i + 2 < s.length && isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2))) {
        bytes.push(parseInt(s.substr(i + 1, 2), 16));
        i += 2;
      } else if (c < 0x80) {
        bytes.push(c);
      } else {
        // already-decoded text in an encoded body: keep it as UTF-8
        const enc = new TextEncoder().encode(s[i]);
        for (const e of enc) bytes.push(e);
      }
    }
    if (!soft) flush();
  }
  if (open) flush();
  return { lines: outLines, origin };
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Base64 body to text; invalid characters are skipped as RFC 2045 asks. */
export function decodeBase64(lines: string[], charset: string | undefined): string {
  const clean = lines.join('').replace(/[^A-Za-z0-9+/=]/g, '');
  const buf = Buffer.from(clean, 'base64');
  return decodeCharset(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), charset);
}

/** RFC 2047 encoded words in headers (=?UTF-8?q?J=C3=A9r=C3=B4me?=). */
export function decodeHeaderWords(s: string): string {
  if (s.indexOf('=?') < 0) return s;
  return s.replace(/=\?([^?\s]+)\?([qQbB])\?([^?\s]*)\?=(\s+(?==\?))?/g, (_m, cs: string, enc: string, data: string) => {
    try {
      if (enc === 'b' || enc === 'B') {
        const buf = Buffer.from(data, 'base64');
        return decodeCharset(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), cs);
      }
      const bytes: number[] = [];
      for (let i = 0; i < data.length; i++) {
        const c = data.charCodeAt(i);
        if (c === 95) bytes.push(32);
        else if (c === 61 && i + 2 < data.length && isHex(data.charCodeAt(i + 1)) && isHex(data.charCodeAt(i + 2))) {
          bytes.push(parseInt(data.substr(i + 1, 2), 16));
          i += 2;
        } else bytes.push(c & 0xff);
      }
      return decodeCharset(Uint8Array.from(bytes), cs);
    } catch {
      return data;
    }
  });
}
