// The one reader of scenarios and patches: regular files only, at most a size limit, never blocking.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { inputLimit, readInputFile } from '../../../src/scenario/inputFile';
import { loadScenarioFile } from '../../../src/scenario/library';

const tmp = mkdtempSync(join(tmpdir(), 'mmx-input-'));

describe('readInputFile', () => {
  it('reads a regular file within the limit', () => {
    const f = join(tmp, 'ok.txt');
    writeFileSync(f, 'hello');
    const r = readInputFile(f, inputLimit('scenario'));
    expect(r.ok && new TextDecoder().decode(r.bytes)).toBe('hello');
  });

  it('refuses what is not a regular file, without blocking on a FIFO', () => {
    const fifo = join(tmp, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const t0 = performance.now();
    expect(readInputFile(fifo, inputLimit('patch'))).toEqual({ ok: false, message: 'is a FIFO, not a regular file', code: 'ENOTREG' });
    expect(readInputFile('/dev/zero', inputLimit('patch'))).toMatchObject({
      ok: false,
      message: 'is a character device, not a regular file',
    });
    const dir = readInputFile(tmp, inputLimit('patch'));
    expect(!dir.ok && dir.message).toMatch(/directory/);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(readInputFile(join(tmp, 'none'), inputLimit('patch'))).toMatchObject({ ok: false, message: 'no such file', code: 'ENOENT' });
  });

  it('refuses a file above the limit, saying how to raise it', () => {
    const f = join(tmp, 'big.txt');
    writeFileSync(f, 'x'.repeat(3 * 1024 * 1024));
    const r = readInputFile(f, inputLimit('scenario', 2, 'setting mmExplorer.limits.scenarioSizeMB'));
    expect(r).toEqual({
      ok: false,
      message: '3 MB is more than the 2 MB a scenario may have (setting mmExplorer.limits.scenarioSizeMB)',
      code: 'EFBIG',
    });
    expect(inputLimit('scenario').maxBytes).toBe(2 * 1024 * 1024);
    expect(inputLimit('patch').maxBytes).toBe(256 * 1024 * 1024);
    expect(inputLimit('patch', 0).maxBytes).toBe(256 * 1024 * 1024);
  });

  it('a file that says size 0 but has content (as /proc files do) is read up to the limit', () => {
    const r = readInputFile('/proc/self/status', inputLimit('scenario'));
    expect(r.ok && new TextDecoder().decode(r.bytes)).toMatch(/^Name:/);
    expect(readInputFile('/proc/self/status', { maxBytes: 10, what: 'a scenario' })).toMatchObject({
      ok: false,
      message: 'grew past the 10 bytes a scenario may have',
    });
  });

  it('loadScenarioFile reports it as a located error', () => {
    expect(loadScenarioFile('/dev/zero').diagnostics).toEqual([
      {
        file: '/dev/zero',
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 1,
        severity: 'error',
        message: 'cannot read: is a character device, not a regular file',
      },
    ]);
  });
});
