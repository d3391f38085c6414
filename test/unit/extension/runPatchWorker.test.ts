// Run This Patch's child, started and read in a worker (runPatchWorker.ts): a report is parsed and
// checked there, and every other ending (not a report, a failing child, the time limit, a cancel)
// comes back as a message, never as an exception.
import { describe, expect, it } from 'vitest';

import { readReport, runChild } from '../../../src/extension/runPatchWorker';

const REPORT = { tree: 't', columns: [], scenarios: [], versions: [], unseen: { notEntered: [], notObservable: [] } };
const node = (code: string): string[] => ['-e', code];

describe('Run This Patch: the child and its report', () => {
  it('a report is parsed and checked; exit 1 (a hunk did not apply) still brings it', async () => {
    expect(await runChild(node(`process.stdout.write(${JSON.stringify(JSON.stringify(REPORT))})`), 30_000)).toEqual({
      type: 'report',
      report: REPORT,
    });
    const r = await runChild(node(`process.stdout.write(${JSON.stringify(JSON.stringify(REPORT))}); process.exitCode = 1`), 30_000);
    expect(r.type).toBe('report');
  }, 60_000);

  it('output that is no report, a failing child and the time limit are messages', async () => {
    expect(await runChild(node('process.stdout.write("{}")'), 30_000)).toEqual({
      type: 'failed',
      message: 'run-patch: unreadable output: not a run-patch report',
    });
    expect(await runChild(node('process.stdout.write("{")'), 30_000)).toMatchObject({ type: 'failed', message: /unreadable output/ });
    expect(await runChild(node('process.stderr.write("mmx run-patch: no diff found"); process.exit(2)'), 30_000)).toEqual({
      type: 'failed',
      message: 'run-patch: mmx run-patch: no diff found',
    });
    expect(await runChild(node('setTimeout(() => {}, 60000)'), 300)).toEqual({
      type: 'failed',
      message: 'run-patch: stopped after 300 ms (mmExplorer.runPatch.timeLimitMs)',
    });
  }, 60_000);

  it('a cancel ends the child', async () => {
    const ac = new AbortController();
    const t0 = performance.now();
    const r = runChild(node('setTimeout(() => {}, 60000)'), 60_000, ac.signal);
    setTimeout(() => ac.abort(), 200);
    expect(await r).toEqual({ type: 'cancelled' });
    expect(performance.now() - t0).toBeLessThan(10_000);
  }, 60_000);

  it('a column without sources or variant is refused', () => {
    expect(() => readReport(JSON.stringify({ ...REPORT, columns: [{ label: 'x' }] }))).toThrow('the report has no column sources');
  });
});
