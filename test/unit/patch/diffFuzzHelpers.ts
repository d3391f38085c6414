// Mutations of real patches for the diff reader's fuzz test.
import fc from 'fast-check';

import type { Problem } from '../../../src/patch/analysisModel';
import { readDiffs } from '../../../src/patch/diffReader';
import { readMessages } from '../../../src/patch/mail';
import { decodeInput } from '../../../src/patch/textDecode';

import { fixtureText, SEED } from './fixtures';
export const BASES = [
  fixtureText(SEED.s003),
  fixtureText(SEED.s001),
  fixtureText('corpus/2003-06-27_mccracken_truncate-fix-no-race_mime-attach.eml'),
  fixtureText('corpus/2019-08-04_hubbard_v2-17-34_vfio-convert-put_user_page_3arg.eml'),
  fixtureText(SEED.s004).slice(0, 16000),
  fixtureText('corpus/2019-11-25_hubbard_v2-19-19_rename-put_user_page-to-unpin_user_page_quoted-printable.eml').slice(0, 12000),
];

export type Op =
  | { t: 'drop'; at: number; n: number }
  | { t: 'count'; at: number; delta: number }
  | { t: 'strip'; at: number; n: number }
  | { t: 'join'; at: number; n: number }
  | { t: 'truncate'; at: number }
  | { t: 'bytes'; at: number; bytes: number[] }
  | { t: 'dup'; at: number; n: number }
  | { t: 'crlf' };

export const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('drop' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ t: fc.constant('count' as const), at: fc.nat(), delta: fc.integer({ min: -40, max: 1_000_000 }) }),
  fc.record({ t: fc.constant('strip' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ t: fc.constant('join' as const), at: fc.nat(), n: fc.integer({ min: 2, max: 400 }) }),
  fc.record({ t: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    t: fc.constant('bytes' as const),
    at: fc.nat(),
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 40 }),
  }),
  fc.record({ t: fc.constant('dup' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ t: fc.constant('crlf' as const) }),
);

export function mutate(base: string, ops: Op[]): Uint8Array {
  let lines = base.split('\n');
  let extra: { at: number; bytes: number[] }[] = [];
  let crlf = false;
  for (const o of ops) {
    const at = lines.length ? (o.t === 'crlf' ? 0 : o.at % lines.length) : 0;
    switch (o.t) {
      case 'drop':
        lines.splice(at, o.n);
        break;
      case 'count': {
        // change a hunk header's counts
        const h = lines.findIndex((l, i) => i >= at && l.startsWith('@@ '));
        if (h >= 0)
          lines[h] = lines[h].replace(
            /,(\d+) \+(\d+),(\d+)/,
            (_m, a, b, c) => `,${Math.max(0, Number(a) + o.delta)} +${b},${Math.max(0, Number(c) - o.delta)}`,
          );
        break;
      }
      case 'strip':
        for (let i = at; i < Math.min(lines.length, at + o.n); i++) lines[i] = lines[i].replace(/^\s+/, '');
        break;
      case 'join':
        lines.splice(at, o.n, lines.slice(at, at + o.n).join(' '));
        break;
      case 'truncate':
        lines = lines.slice(0, at);
        break;
      case 'bytes':
        extra.push({ at, bytes: o.bytes });
        break;
      case 'dup':
        lines.splice(at, 0, ...lines.slice(at, at + o.n));
        break;
      case 'crlf':
        crlf = true;
        break;
    }
  }
  const text = lines.join(crlf ? '\r\n' : '\n');
  let bytes = new Uint8Array(Buffer.from(text, 'utf8'));
  extra = extra.sort((a, b) => b.at - a.at);
  for (const e of extra) {
    const pos = Math.min(bytes.length, Math.floor((e.at / Math.max(1, lines.length)) * bytes.length));
    const next = new Uint8Array(bytes.length + e.bytes.length);
    next.set(bytes.subarray(0, pos));
    next.set(e.bytes, pos);
    next.set(bytes.subarray(pos), pos + e.bytes.length);
    bytes = next;
  }
  return bytes;
}

export function readAll(bytes: Uint8Array): { hunks: number; problems: Problem[] } {
  const problems: Problem[] = [];
  const text = decodeInput(bytes, 'fuzz', problems);
  let hunks = 0;
  for (const m of readMessages(text, 'fuzz', problems)) hunks += readDiffs(m.lines, m.lineNos, 'fuzz', problems).hunksSeen;
  return { hunks, problems };
}
