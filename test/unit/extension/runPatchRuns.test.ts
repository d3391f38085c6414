// Run This Patch's worker started and ended from the host side (runPatchRuns.ts + dist/runPatchWorker.js):
// a report comes back as the worker's answer, and a cancel (also what dispose does) kills the child
// before the worker ends, so no exploration outlives the extension.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { startRunPatch } from '../../../src/extension/runPatchRuns';
import { bundleWorker } from '../workerBundles';

let workerFile: string;
const REPORT = { tree: 't', columns: [], scenarios: [], versions: [], unseen: { notEntered: [], notObservable: [] } };

beforeAll(async () => {
  workerFile = await bundleWorker('extension/runPatchWorker', 'runPatchWorker');
}, 60_000);

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('Run This Patch worker, host side', () => {
  it('the report comes back as the answer', async () => {
    const run = startRunPatch(workerFile, ['-e', `process.stdout.write(${JSON.stringify(JSON.stringify(REPORT))})`], 30_000, 512);
    expect(await run.done).toEqual({ type: 'report', report: REPORT });
  }, 60_000);

  it('a cancel kills the child, then ends the worker', async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), 'mmx-run-')), 'pid');
    const code = `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setTimeout(() => {}, 60000)`;
    const run = startRunPatch(workerFile, ['-e', code], 60_000, 512);
    const t0 = Date.now();
    while (!existsSync(pidFile) || !readFileSync(pidFile, 'utf8')) {
      if (Date.now() - t0 > 20_000) throw new Error('the child did not start');
      await new Promise((r) => setTimeout(r, 20));
    }
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(pid)).toBe(true);
    run.cancel();
    expect(await run.done).toEqual({ type: 'cancelled' });
    const t1 = Date.now();
    while (alive(pid) && Date.now() - t1 < 5000) await new Promise((r) => setTimeout(r, 20));
    expect(alive(pid)).toBe(false);
  }, 60_000);

  it('a report past the memory cap ends the run with a message naming the setting', async () => {
    const big = `process.stdout.write(JSON.stringify({ ...${JSON.stringify(REPORT)}, pad: Array.from({ length: 400000 }, (_, i) => ({ i, s: 'x'.repeat(40) })) }))`;
    const run = startRunPatch(workerFile, ['-e', big], 60_000, 16);
    const r = await run.done;
    expect(r.type === 'failed' && r.message).toMatch(/more than 16 MB of memory \(setting mmExplorer\.explore\.memoryLimitMB\)/);
  }, 60_000);
});
