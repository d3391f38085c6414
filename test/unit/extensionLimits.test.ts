// The extension's limits (settings and Restricted Mode) and its scenario checker in a worker thread:
// the calling thread stays free while a large scenario is checked, a checker that runs too long is
// stopped, and the next check works again. No VS Code needed: both modules are vscode-free.
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { effectiveLimits, RESTRICTED_TIME_LIMIT_MS } from '../../src/extension/limits';
import { ScenarioValidator } from '../../src/extension/scenarioValidator';

import { bundleWorker, WORKER_DIR } from './workerBundles';

const workerFile = join(WORKER_DIR, 'scenarioValidator.js');

const GOOD = `title: t
world:
  files: [{name: f, pages: 1}]
  mms: [{name: a}]
tasks:
  - name: t
    mm: a
    ops:
      - {op: mmap, addr: 0x40000000, pages: 1, prot: rw-, file: f}
      - {op: read, addr: 0x40000000}
variants:
  base: {fault: 2.5.70}
`;

/** a valid scenario of about `ops` operations */
const big = (ops: number) => GOOD.replace('      - {op: read, addr: 0x40000000}\n', '      - {op: read, addr: 0x40000000}\n'.repeat(ops));

beforeAll(async () => {
  await bundleWorker('scenario/validationWorker', 'scenarioValidator');
}, 60_000);

describe('extension limits', () => {
  it('defaults, settings, and Restricted Mode halving the sizes and capping searches at 10 s', () => {
    const t = effectiveLimits({}, true);
    expect(t).toEqual({
      trusted: true,
      scenarioBytes: 2 * 1024 * 1024,
      patchBytes: 256 * 1024 * 1024,
      autoAnalysisBytes: 8 * 1024 * 1024,
      asYouTypeBytes: 512 * 1024,
      timeLimitMs: 60_000,
      analysisTimeLimitMs: 120_000,
      workerMemoryMb: 2048,
      confirmExports: false,
    });
    const r = effectiveLimits({}, false);
    expect(r).toEqual({
      trusted: false,
      scenarioBytes: 1024 * 1024,
      patchBytes: 128 * 1024 * 1024,
      autoAnalysisBytes: 4 * 1024 * 1024,
      asYouTypeBytes: 256 * 1024,
      timeLimitMs: RESTRICTED_TIME_LIMIT_MS,
      analysisTimeLimitMs: 120_000,
      workerMemoryMb: 2048,
      confirmExports: true,
    });
    const s = effectiveLimits({ scenarioSizeMB: 4, patchSizeMB: 1, asYouTypeMaxKB: 64, timeLimitMs: 5000 }, true);
    expect(s).toMatchObject({ scenarioBytes: 4 * 1024 * 1024, patchBytes: 1024 * 1024, asYouTypeBytes: 64 * 1024, timeLimitMs: 5000 });
    // a longer time limit than the restricted one is capped, a shorter one kept; nonsense falls back
    expect(effectiveLimits({ timeLimitMs: 600_000 }, false).timeLimitMs).toBe(RESTRICTED_TIME_LIMIT_MS);
    expect(effectiveLimits({ timeLimitMs: 2000 }, false).timeLimitMs).toBe(2000);
    expect(effectiveLimits({ scenarioSizeMB: -1, timeLimitMs: null }, true)).toMatchObject({
      scenarioBytes: 2 * 1024 * 1024,
      timeLimitMs: 60_000,
    });
    // the workers' memory cap: the setting, never below what V8 needs to start a worker
    expect(effectiveLimits({ workerMemoryMB: 512 }, true).workerMemoryMb).toBe(512);
    expect(effectiveLimits({ workerMemoryMB: 1 }, true).workerMemoryMb).toBe(16);
    // the analysis of an opened patch: its own setting, nonsense falls back
    expect(effectiveLimits({ analysisTimeLimitMs: 5000 }, false).analysisTimeLimitMs).toBe(5000);
    expect(effectiveLimits({ analysisTimeLimitMs: 0 }, true).analysisTimeLimitMs).toBe(120_000);
    expect(effectiveLimits({ analysisTimeLimitMs: 5 }, true).analysisTimeLimitMs).toBe(1000);
  });
});

describe('scenario checker in a worker', () => {
  it('checks off the calling thread: the event loop keeps ticking during a large check', async () => {
    const v = new ScenarioValidator(workerFile);
    try {
      expect(await v.validate('a', GOOD, 'a.mmscenario.yaml')).toEqual({ kind: 'done', diagnostics: [] });
      const bad = await v.validate('a', GOOD.replace('rw-', 'rwz'), 'a.mmscenario.yaml');
      expect(bad.kind === 'done' && bad.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([
        "9:54 op #0 (mmap) of task 't': 'rwz' is not a protection such as rw-, r--, r-x, ---",
      ]);
      let maxGap = 0;
      let last = performance.now();
      const tick = setInterval(() => {
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
      }, 5);
      const t0 = performance.now();
      const r = await v.validate('b', big(20_000), 'b.mmscenario.yaml');
      const took = performance.now() - t0;
      clearInterval(tick);
      expect(r).toEqual({ kind: 'done', diagnostics: [] });
      // the check took long, the calling thread was never blocked for long
      expect(took).toBeGreaterThan(4 * maxGap);
      expect(maxGap).toBeLessThan(250);
    } finally {
      v.dispose();
    }
  }, 120_000);

  it('a newer text of the same document supersedes one still waiting', async () => {
    const v = new ScenarioValidator(workerFile);
    try {
      const first = v.validate('x', big(2000), 'x.mmscenario.yaml');
      const waiting = v.validate('y', GOOD, 'y.mmscenario.yaml');
      const newer = v.validate('y', GOOD.replace('rw-', 'r--'), 'y.mmscenario.yaml');
      expect(await waiting).toEqual({ kind: 'superseded' });
      expect((await first).kind).toBe('done');
      expect(await newer).toEqual({ kind: 'done', diagnostics: [] });
    } finally {
      v.dispose();
    }
  }, 60_000);

  it('a check over the time limit is stopped, and the next one works', async () => {
    const v = new ScenarioValidator(workerFile, 30);
    try {
      const r = await v.validate('z', big(20_000), 'z.mmscenario.yaml');
      expect(r).toEqual({ kind: 'failed', message: 'checking took longer than 30 ms and was stopped' });
    } finally {
      v.dispose();
    }
    const w = new ScenarioValidator(workerFile, 60_000);
    try {
      expect(await w.validate('z', GOOD, 'z.mmscenario.yaml')).toEqual({ kind: 'done', diagnostics: [] });
    } finally {
      w.dispose();
    }
  }, 60_000);
});
