// Patch analysis in a worker thread (patchAnalyses.ts + dist/patchAnalysisWorker.js), in Node: the
// same analysis as on this thread, which only waits; a newer text of a document supersedes one still
// waiting; the time limit and the memory cap end an analysis with a message, and the next one works.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { PatchAnalyses } from '../../../src/extension/patchAnalyses';
import { analyzePatch } from '../../../src/patch/analyze';
import { bundleWorker } from '../workerBundles';

const root = join(__dirname, '../../..');
const SAMPLE = readFileSync(join(root, 'samples/install_new_page-thread.txt'), 'utf8');
let workerFile: string;

beforeAll(async () => {
  workerFile = await bundleWorker('extension/patchAnalysisWorker', 'patchAnalysisWorker');
}, 60_000);

describe('patch analysis in a worker thread', () => {
  it('equals the analysis on this thread, whose event loop keeps ticking meanwhile', async () => {
    const w = new PatchAnalyses(workerFile, () => ({ timeLimitMs: 60_000, memoryMb: 1024 }));
    let ticks = 0;
    let last = performance.now();
    let maxGap = 0;
    const timer = setInterval(() => {
      ticks++;
      maxGap = Math.max(maxGap, performance.now() - last);
      last = performance.now();
    }, 5);
    try {
      // a large thread: the sample forty times over
      const big = Array.from({ length: 40 }, () => SAMPLE).join('\n');
      const there = await w.analyze('a', big, 'big.txt');
      clearInterval(timer);
      expect(there.kind).toBe('done');
      if (there.kind !== 'done') return;
      const here = await analyzePatch(big, 'big.txt');
      expect(there.analysis).toEqual(JSON.parse(JSON.stringify(here)));
      expect(ticks).toBeGreaterThan(5);
      expect(maxGap).toBeLessThan(1000);
    } finally {
      clearInterval(timer);
      w.dispose();
    }
  }, 120_000);

  it('a newer text of the same document supersedes one still waiting', async () => {
    const w = new PatchAnalyses(workerFile, () => ({ timeLimitMs: 60_000, memoryMb: 1024 }));
    try {
      const first = w.analyze('a', SAMPLE, 'a.txt');
      const waiting = w.analyze('a', SAMPLE + '\n', 'a.txt');
      const newest = w.analyze('a', SAMPLE, 'a.txt');
      expect((await first).kind).toBe('done');
      expect(await waiting).toEqual({ kind: 'superseded' });
      const n = await newest;
      expect(n.kind === 'done' && n.analysis.variants).toEqual(['install_new_page', 'install_new_page-hch']);
    } finally {
      w.dispose();
    }
  }, 120_000);

  it('the time limit and the memory cap stop an analysis with a message; the next one works', async () => {
    let limits = { timeLimitMs: 20, memoryMb: 1024 };
    const w = new PatchAnalyses(workerFile, () => limits);
    try {
      expect(await w.analyze('a', SAMPLE, 'a.txt')).toEqual({
        kind: 'failed',
        message: 'the analysis took longer than 0.02 s and was stopped (setting mmExplorer.limits.analysisTimeLimitMs)',
      });
      limits = { timeLimitMs: 60_000, memoryMb: 2 };
      const oom = await w.analyze('b', SAMPLE, 'b.txt');
      expect(oom.kind === 'failed' && oom.message).toMatch(/more than 2 MB of memory \(setting mmExplorer\.explore\.memoryLimitMB\)/);
      limits = { timeLimitMs: 60_000, memoryMb: 1024 };
      expect((await w.analyze('c', SAMPLE, 'c.txt')).kind).toBe('done');
    } finally {
      w.dispose();
    }
  }, 120_000);

  it('a changed memory cap applies to the next analysis, not only after a worker dies', async () => {
    let limits = { timeLimitMs: 60_000, memoryMb: 1024 };
    const w = new PatchAnalyses(workerFile, () => limits);
    try {
      expect((await w.analyze('a', SAMPLE, 'a.txt')).kind).toBe('done');
      limits = { timeLimitMs: 60_000, memoryMb: 2 };
      const oom = await w.analyze('a', SAMPLE, 'a.txt');
      expect(oom.kind === 'failed' && oom.message).toMatch(/more than 2 MB of memory/);
    } finally {
      w.dispose();
    }
  }, 120_000);

  it('dispose ends the analyses under way and starts no worker afterwards', async () => {
    const w = new PatchAnalyses(workerFile, () => ({ timeLimitMs: 60_000, memoryMb: 1024 }));
    const running = w.analyze('a', SAMPLE, 'a.txt');
    const waiting = w.analyze('b', SAMPLE, 'b.txt');
    w.dispose();
    const stopped = { kind: 'failed', message: 'the analysis stopped: the extension was deactivated' };
    expect(await running).toEqual(stopped);
    expect(await waiting).toEqual(stopped);
    expect(await w.analyze('c', SAMPLE, 'c.txt')).toEqual(stopped);
    expect((w as unknown as { worker: unknown }).worker).toBeUndefined();
  }, 120_000);
});
