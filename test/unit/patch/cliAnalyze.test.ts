// mmx analyze: the human summary, --json, and exit codes for bad input.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { runAnalyze } from '../../../src/cli/commands/analyze';

import { patchFixturePath, SEED } from './fixtures';

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAnalyze(args, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('mmx analyze', () => {
  it('prints a summary with the lock contracts of seed 004', async () => {
    const r = await run([patchFixturePath(SEED.s004)]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('hunks read 106/106 (100%)');
    expect(r.out).toContain(
      '[2.5.70-mm2] ->nopage (vm_operations_struct.nopage): page_table_lock released at entry, dropped by the caller',
    );
    expect(r.out).toContain(
      '[2.5.70-mm3] ->nopage (vm_operations_struct.nopage): page_table_lock held at entry, dropped by each implementation',
    );
    expect(r.out).toMatch(/BAD \[2\.5\.70-mm3\] shmiq_nopage/);
  });

  it('prints the JSON the extension reads, with the fields the CLI documents', async () => {
    const r = await run([patchFixturePath(SEED.s003), '--json']);
    expect(r.code).toBe(0);
    const a = JSON.parse(r.out) as { patches: unknown[]; apiChanges: { name: string }[] };
    for (const k of ['patches', 'apiChanges', 'lockContracts', 'implementations', 'variants', 'coverage', 'problems'])
      expect(a).toHaveProperty(k);
    expect(a.patches[0]).toMatchObject({ subject: '[PATCH v2 2/6] mm: introduce put_user_page*(), placeholder versions', version: 'v2' });
    expect(a.apiChanges.map((c) => c.name)).toContain('put_user_pages_dirty_lock');
  });

  it("accepts the CLI dispatcher's {out, err} pair too", async () => {
    const out: string[] = [];
    const code = await runAnalyze([patchFixturePath(SEED.s001)], { out: (s) => out.push(s), err: () => {} });
    expect(code).toBe(0);
    expect(out.join('\n')).toContain('comment');
  });

  it('exits 2 on bad input, naming the problem', async () => {
    expect((await run([])).code).toBe(2);
    const missing = await run(['/nonexistent/x.patch']);
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.err).toContain('/nonexistent/x.patch: no such file');
    expect((await run(['--frobnicate', 'x'])).err).toContain("unknown option '--frobnicate'");
    const dir = mkdtempSync(join(tmpdir(), 'mmx-'));
    expect((await run([dir])).err).toContain('is a directory');
    const prose = join(dir, 'prose.txt');
    writeFileSync(prose, 'no diff here\n');
    const r = await run([prose]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no diff found');
  });

  it('reports damaged hunks with file:line and still exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmx-'));
    const f = join(dir, 'bad.patch');
    writeFileSync(f, '--- a/x.c\n+++ b/x.c\n@@ -1,9 +1,9 @@\n int a;\n-int b;\n+long b;\n');
    const r = await run([f]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${f}:6: error: x.c: hunk at line 3 is truncated`);
  });
});
