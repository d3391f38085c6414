// MIME nesting: any depth up to the limit is read as parts; beyond it the rest is read as plain text
// with a reported problem, never dropped silently.
import { describe, expect, it } from 'vitest';

import type { Problem } from '../../../src/patch/analysisModel';
import { MAX_MIME_DEPTH, readMessages } from '../../../src/patch/mail';

const DIFF = ['diff --git a/mm/memory.c b/mm/memory.c', '--- a/mm/memory.c', '+++ b/mm/memory.c', '@@ -1,1 +1,1 @@', '-old', '+new'];

/** a mail whose diff sits inside `levels` nested multipart/mixed parts */
function nested(levels: number): string {
  const out = ['From: a@b', 'Subject: [PATCH] deep', 'MIME-Version: 1.0'];
  for (let i = 0; i < levels; i++) out.push(`Content-Type: multipart/mixed; boundary="b${i}"`, '', `--b${i}`);
  out.push('Content-Type: text/x-patch', '', ...DIFF);
  for (let i = levels - 1; i >= 0; i--) out.push(`--b${i}--`);
  return out.join('\n') + '\n';
}

function read(levels: number) {
  const problems: Problem[] = [];
  const msgs = readMessages(nested(levels), 'deep.eml', problems);
  return { text: msgs.map((m) => m.lines.join('\n')).join('\n'), problems };
}

describe('MIME depth', () => {
  it('reads a diff nested 20 levels deep as a part, without a problem', () => {
    const r = read(20);
    expect(r.problems).toEqual([]);
    expect(r.text).toContain('+new');
    expect(r.text).not.toContain('--b19');
  });

  it('beyond the limit: the diff is still there, and a problem says where the nesting was cut', () => {
    const r = read(MAX_MIME_DEPTH + 5);
    expect(r.text).toContain('+new');
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({
      file: 'deep.eml',
      severity: 'warning',
      message: `MIME parts nested deeper than ${MAX_MIME_DEPTH} levels; the rest is read as plain text`,
    });
    expect(r.problems[0].line).toBeGreaterThan(MAX_MIME_DEPTH * 3);
  });

  it('ten thousand levels: no stack overflow', () => {
    expect(read(10_000).text).toContain('+new');
  });
});
