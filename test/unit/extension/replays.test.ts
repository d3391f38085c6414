// The page-table view's replays in a worker thread (replays.ts + dist/replayWorker.js), in Node: the
// snapshot at a step equals the replay on this thread, a newer selection supersedes one still waiting,
// a run-patch column's interpreted variant is compiled in the worker, failures come back as messages.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { Replays } from '../../../src/extension/replays';
import { runSchedule } from '../../../src/scenario/explorer';
import { columnOf, compareScenario, loadScenario, machineFactory } from '../../../src/scenario/runner';
import type { Scenario } from '../../../src/scenario/scenario';
import { bundleWorker } from '../workerBundles';

const root = join(__dirname, '../../..');
let workerFile: string;

function scenario(rel: string): Scenario {
  const file = join(root, rel);
  const r = loadScenario(readFileSync(file, 'utf8'), file);
  if (!r.scenario) throw new Error(`${rel}: ${JSON.stringify(r.diagnostics)}`);
  return r.scenario;
}

beforeAll(async () => {
  workerFile = await bundleWorker('extension/replayWorker', 'replayWorker');
}, 60_000);

const limits = () => ({ timeLimitMs: 30_000, memoryMb: 512 });

describe('page-table replays in a worker thread', () => {
  it('the snapshot at each step equals the replay on this thread, which only waits', async () => {
    const s = scenario('scenarios/dfs-race.mmscenario.yaml');
    const { comparison } = compareScenario(s);
    const run = comparison.runs[0];
    const r = new Replays(workerFile, limits);
    try {
      for (const step of [0, 1, Math.floor(run.schedule.length / 2), run.schedule.length]) {
        const there = await r.replay({ scenario: s, selection: run.variants, schedule: run.schedule, step });
        const here = runSchedule(machineFactory(s, run.variants, false), {
          schedule: run.schedule.slice(0, step),
          lenient: true,
          maxSteps: step,
        }).machine.snapshot();
        expect(there).toEqual({ kind: 'replayed', snapshot: here });
      }
    } finally {
      r.dispose();
    }
  }, 60_000);

  it('a newer selection supersedes one still waiting; the newest is answered', async () => {
    const s = scenario('scenarios/dfs-race.mmscenario.yaml');
    const col = columnOf(s, s.columns[0].label)!;
    const { comparison } = compareScenario(s);
    const schedule = comparison.runs[0].schedule;
    const r = new Replays(workerFile, limits);
    try {
      const first = r.replay({ scenario: s, selection: col.selection, schedule, step: 1 });
      const waiting = r.replay({ scenario: s, selection: col.selection, schedule, step: 2 });
      const newest = r.replay({ scenario: s, selection: col.selection, schedule, step: 3 });
      expect((await first).kind).toBe('replayed');
      expect(await waiting).toEqual({ kind: 'superseded' });
      expect((await newest).kind).toBe('replayed');
    } finally {
      r.dispose();
    }
  }, 60_000);

  it('an unknown variant or a column that does not compile fails with a message, and the next replay works', async () => {
    const s = scenario('scenarios/dfs-race.mmscenario.yaml');
    const col = columnOf(s, s.columns[0].label)!;
    const r = new Replays(workerFile, limits);
    try {
      const bad = await r.replay({
        scenario: s,
        selection: col.selection,
        schedule: [],
        step: 0,
        column: {
          variant: 'broken-column',
          era: '2.6.11',
          rules: '2.6.11',
          description: 'test',
          sources: [{ file: 'x.c', text: 'int f(void) { return nosuch; }' }],
          names: ['f'],
        },
      });
      expect(bad.kind).toBe('failed');
      expect(bad.kind === 'failed' && bad.message).toMatch(/broken-column/);
      const ok = await r.replay({ scenario: s, selection: col.selection, schedule: [], step: 0 });
      expect(ok.kind).toBe('replayed');
    } finally {
      r.dispose();
    }
  }, 60_000);

  it('a worker past its memory cap ends the replay with a message naming the setting', async () => {
    const s = scenario('scenarios/dfs-race.mmscenario.yaml');
    const col = columnOf(s, s.columns[0].label)!;
    const r = new Replays(workerFile, () => ({ timeLimitMs: 30_000, memoryMb: 2 }));
    try {
      const out = await r.replay({ scenario: s, selection: col.selection, schedule: [], step: 0 });
      expect(out.kind).toBe('failed');
      expect(out.kind === 'failed' && out.message).toMatch(/more than 2 MB of memory \(setting mmExplorer\.explore\.memoryLimitMB\)/);
    } finally {
      r.dispose();
    }
  }, 60_000);

  it('a changed memory cap applies to the next replay; after dispose no worker starts', async () => {
    const s = scenario('scenarios/dfs-race.mmscenario.yaml');
    const col = columnOf(s, s.columns[0].label)!;
    let memoryMb = 512;
    const r = new Replays(workerFile, () => ({ timeLimitMs: 30_000, memoryMb }));
    const ask = () => r.replay({ scenario: s, selection: col.selection, schedule: [], step: 0 });
    try {
      expect((await ask()).kind).toBe('replayed');
      memoryMb = 2;
      const out = await ask();
      expect(out.kind === 'failed' && out.message).toMatch(/more than 2 MB of memory/);
    } finally {
      r.dispose();
    }
    expect(await ask()).toEqual({ kind: 'superseded' });
    expect((r as unknown as { worker: unknown }).worker).toBeUndefined();
  }, 60_000);

  it('supersede(): a replay under way or waiting answers superseded; the next one is answered', async () => {
    const s = scenario('scenarios/dfs-race.mmscenario.yaml');
    const { comparison } = compareScenario(s);
    const run = comparison.runs[0];
    const r = new Replays(workerFile, limits);
    const ask = (step: number) => r.replay({ scenario: s, selection: run.variants, schedule: run.schedule, step });
    try {
      const under = ask(run.schedule.length);
      const waiting = ask(1);
      r.supersede();
      expect(await under).toEqual({ kind: 'superseded' });
      expect(await waiting).toEqual({ kind: 'superseded' });
      expect((await ask(0)).kind).toBe('replayed');
    } finally {
      r.dispose();
    }
  }, 60_000);
});
