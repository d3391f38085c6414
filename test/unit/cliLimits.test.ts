// A long search shows it is alive: without a terminal (piped, --json) one line on stderr every few
// seconds, stdout exact JSON; --progress=none: nothing. Hostile text in the HTML report is isolated.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { mmx } from './mmx';

const TEN = join(__dirname, '../fixtures/hostile/ten-tasks.mmscenario.yaml');
const ESCAPES = join(__dirname, '../fixtures/hostile/terminal-escapes.mmscenario.yaml');

describe('mmx progress', () => {
  it('--json without a terminal: a progress line on stderr every 5 s, exact JSON on stdout, exit 3 undecided', async () => {
    const r = await mmx('explore', TEN, '--variant', 'fixed', '--json', '--time-limit', '5800');
    expect(r.code).toBe(3);
    const x = JSON.parse(r.out) as { expectations: unknown[] };
    expect(x).toMatchObject({ variant: 'fixed', complete: false, timedOut: true });
    expect(x.expectations[0]).toMatchObject({ text: 'never: stale-pte', met: false, undecided: true });
    const lines = r.err.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^mmx explore: .*ten-tasks\.mmscenario\.yaml \[fixed\]: searching, \d+ schedules, \d+ states \(\d+\/s\), frontier \d+, 0 violation\(s\) after \d+ s$/,
    );
  }, 60_000);

  it('--progress=none: nothing on stderr; a bad --progress is bad input', async () => {
    const r = await mmx('explore', TEN, '--variant', 'fixed', '--time-limit', '5500', '--progress', 'none');
    expect(r.code).toBe(3);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/incomplete \(time limit\)/);
    const bad = await mmx('explore', TEN, '--progress', 'loud');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--progress expects none, lines, live or auto, got 'loud'/);
  }, 60_000);

  it('--html: the report isolates bidi text and keeps the hostile title as text', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'mmx-html-')), 'r.html');
    const r = await mmx('compare', ESCAPES, '--no-explore', '--html', out);
    expect(r.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('body *{unicode-bidi:isolate}');
    expect(html).toContain('<h1>retitle \u001b]0;pwned\u0007 and clear \u001b[2J here</h1>');
  });
});
