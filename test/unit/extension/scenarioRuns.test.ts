// The extension's runs in a worker thread (scenarioRuns.ts + dist/scenarioRunWorker.js), in Node: the
// same comparison and exploration as in this thread, columns reported as they finish, a cancel after
// the first column returning that column with the rest marked partial, failures as RunFailure.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { RunFailure, runInWorker } from '../../../src/extension/scenarioRuns';
import { explorationModel } from '../../../src/scenario/exploration';
import { exploreAsync } from '../../../src/scenario/explorer';
import { WorkerMemoryError } from '../../../src/scenario/explorerWorkers';
import { columnOf, compareScenarioAsync, exploreOptions, loadScenario, machineFactory } from '../../../src/scenario/runner';
import type { Scenario } from '../../../src/scenario/scenario';
import { WORKER_DIR, bundleWorker } from '../workerBundles';

const root = join(__dirname, '../../..');
const outDir = WORKER_DIR;
const workerFile = join(outDir, 'scenarioRunWorker.js');

function scenario(rel: string): Scenario {
  const file = join(root, rel);
  const r = loadScenario(readFileSync(file, 'utf8'), file);
  if (!r.scenario) throw new Error(`${rel}: ${JSON.stringify(r.diagnostics)}`);
  return r.scenario;
}

/** results apart from the times they took */
const untimed = (x: unknown) =>
  JSON.parse(JSON.stringify(x, (k, v: unknown) => (['timeMs', 'firstViolationMs', 'foundAfterMs'].includes(k) ? undefined : v))) as unknown;

beforeAll(async () => {
  // the run worker and, next to it, the workers its explorations split into (as in dist/)
  await bundleWorker('scenario/scenarioRunWorker', 'scenarioRunWorker');
  await bundleWorker('scenario/exploreWorker', 'exploreWorker');
}, 60_000);

describe('runs in a worker thread', () => {
  it('a comparison there equals the one here, with each column reported as it finishes', async () => {
    const s = scenario('scenarios/dfs-race.mmscenario.yaml');
    const columns: string[] = [];
    const there = await runInWorker(
      workerFile,
      { kind: 'compare', scenario: s, limits: {} },
      { onColumn: (l, done, of) => columns.push(`${l} ${done}/${of}`) },
    );
    const here = await compareScenarioAsync(s, { explore: true });
    expect(there.type).toBe('compared');
    if (there.type !== 'compared') return;
    expect(untimed(there.comparison)).toEqual(untimed(here.comparison));
    expect(there.ok).toBe(here.ok);
    expect(columns).toEqual(s.columns.map((c, i) => `${c.label} ${i + 1}/${s.columns.length}`));
  }, 120_000);

  it('an exploration there equals the same split search here', async () => {
    const s = scenario('scenarios/truncate-race.mmscenario.yaml');
    const col = columnOf(s, 'truncate-seq')!;
    const progress: number[] = [];
    const there = await runInWorker(
      workerFile,
      { kind: 'explore', scenario: s, column: col.label, limits: {}, jobs: 2 },
      { onProgress: (p) => progress.push(p.schedules) },
    );
    const x = await exploreAsync(machineFactory(s, col.selection), {
      ...exploreOptions(s, {}),
      jobs: 2,
      recipe: { world: s.world, selection: col.selection },
      workerScript: join(outDir, 'exploreWorker.js'),
    });
    expect(there.type).toBe('explored');
    if (there.type !== 'explored') return;
    const here = explorationModel(s, col, x, { replay: true });
    expect(there.exploration.complete).toBe(true);
    expect(untimed(there.exploration)).toEqual(untimed(here));
    expect(progress.length).toBeGreaterThan(0);
  }, 120_000);

  it('a cancel after the first column: that column whole, the comparison partial', async () => {
    const s = scenario('test/integration/workspace/scenarios/two-faulters.mmscenario.yaml');
    const ac = new AbortController();
    const finished: string[] = [];
    let last = performance.now();
    let maxGap = 0;
    const timer = setInterval(() => {
      maxGap = Math.max(maxGap, performance.now() - last);
      last = performance.now();
    }, 1);
    let r;
    try {
      r = await runInWorker(
        workerFile,
        { kind: 'compare', scenario: s, columns: ['install_new_page', 'truncate-seq'], limits: {} },
        {
          signal: ac.signal,
          onColumn: (label) => {
            finished.push(label);
            ac.abort();
          },
        },
      );
    } finally {
      clearInterval(timer);
    }
    expect(finished).toEqual(['install_new_page']);
    expect(r.type).toBe('compared');
    if (r.type !== 'compared') return;
    const c = r.comparison;
    expect(c.partial).toEqual({ reason: 'cancelled', requested: ['install_new_page', 'truncate-seq'] });
    expect(c.runs[0].label).toBe('install_new_page');
    expect(c.runs[0].exploration?.complete).toBe(true);
    expect(c.runs[0].expectations.every((x) => x.met)).toBe(true);
    for (const run of c.runs.slice(1)) expect(run.exploration?.complete).toBe(false);
    expect(r.ok).toBe(false);
    // this thread only waited: its timer kept firing (a generous bound on a shared machine)
    expect(maxGap).toBeLessThan(1000);
  }, 120_000);

  it('a cancelled exploration returns soon, its subtrees in flight not waited for', async () => {
    const s = scenario('test/fixtures/hostile/ten-tasks.mmscenario.yaml');
    const ac = new AbortController();
    const run = runInWorker(
      workerFile,
      { kind: 'explore', scenario: s, column: 'fixed', limits: { timeLimitMs: 120_000 }, jobs: 2 },
      { signal: ac.signal },
    );
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = performance.now();
    ac.abort();
    const r = await run;
    const ms = performance.now() - t0;
    expect(r.type).toBe('explored');
    if (r.type !== 'explored') return;
    expect(r.exploration.cancelled).toBe(true);
    expect(r.exploration.incompleteReason).toBe('cancelled');
    // far less than the grace before the worker would be ended, or the jobs' own end
    expect(ms).toBeLessThan(5000);
  }, 60_000);

  it('an exploration worker past its memory cap ends the search with a message naming the setting, not a crash', async () => {
    const s = scenario('test/fixtures/hostile/ten-tasks.mmscenario.yaml');
    const r = runInWorker(workerFile, {
      kind: 'explore',
      scenario: s,
      column: 'fixed',
      limits: { timeLimitMs: 60_000, memoryMb: 6 },
      jobs: 2,
    });
    await expect(r).rejects.toBeInstanceOf(RunFailure);
    await expect(r).rejects.toThrow(/needed more than 6 MB of memory \(setting mmExplorer\.explore\.memoryLimitMB\)/);
    // the same search with the default cap still runs in this process afterwards
    const ok = await runInWorker(workerFile, {
      kind: 'explore',
      scenario: scenario('scenarios/dfs-race.mmscenario.yaml'),
      column: 'install_new_page',
      limits: {},
      jobs: 2,
    });
    expect(ok.type).toBe('explored');
  }, 120_000);

  it('the search itself fails with WorkerMemoryError when a worker reaches its cap', async () => {
    const s = scenario('test/fixtures/hostile/ten-tasks.mmscenario.yaml');
    const col = columnOf(s, 'fixed')!;
    const search = exploreAsync(machineFactory(s, col.selection), {
      ...exploreOptions(s, { timeLimitMs: 60_000 }),
      jobs: 2,
      recipe: { world: s.world, selection: col.selection },
      workerScript: join(outDir, 'exploreWorker.js'),
      workerMemoryMb: 5,
    });
    await expect(search).rejects.toBeInstanceOf(WorkerMemoryError);
    await expect(search).rejects.toThrow('an exploration worker stopped: its subtree needed more than 5 MB of memory');
  }, 120_000);

  it('failures come back as RunFailure', async () => {
    const s = scenario('scenarios/dfs-race.mmscenario.yaml');
    await expect(runInWorker(workerFile, { kind: 'explore', scenario: s, column: 'nope', limits: {} })).rejects.toThrow(
      new RunFailure(`no variant 'nope' in ${s.file}`),
    );
    await expect(runInWorker(join(outDir, 'missing.js'), { kind: 'compare', scenario: s, limits: {} })).rejects.toBeInstanceOf(RunFailure);
    await expect(runInWorker(workerFile, { kind: 'compare', scenario: s, columns: ['nope'], limits: {} })).rejects.toThrow(
      /no column 'nope'/,
    );
  }, 60_000);
});
