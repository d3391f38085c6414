// The extension host never blocks during a search: while a comparison or an exploration runs (in a
// worker thread), a 1 ms interval timer on the host keeps firing and a command of the extension
// answers; a cancel after the first column has finished shows that column, marked partial.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';

import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';

import type { Comparison } from '../../../src/scenario/comparisonModel';
import type { Exploration } from '../../../src/scenario/explorationModel';
import { repoPath } from '../paths';

import { api, closeAll, sleep, workspaceFile } from './helpers';

/** a figure for the test log (the runner streams MMX_TEST_OUTPUT; the host's console does not reach it) */
function note(line: string): void {
  const out = process.env.MMX_TEST_OUTPUT;
  if (out) fs.appendFileSync(out, `${line}\n`);
}

/** a timer gap above this means the host's event loop was held by the run */
const MAX_GAP_MS = 250;

interface HostWatch {
  maxGapMs: number;
  ticks: number;
  /** gaps above 50 ms, as "at+gap" (ms from the start) */
  long: string;
  /** how long a trivial command of the extension took to answer, probed every 200 ms */
  latencies: number[];
  ms: number;
}

/** Runs `work` while watching the host's event loop (a 1 ms interval timer and command probes), and
 * notes the figures under `what`. */
async function watched<T>(what: string, work: () => Thenable<T>): Promise<{ value: T; seen: HostWatch }> {
  const start = performance.now();
  let last = start;
  let maxGapMs = 0;
  let ticks = 0;
  const long: string[] = [];
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - last > 50) long.push(`${Math.round(last - start)}+${Math.round(now - last)}`);
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
    ticks++;
  }, 1);
  const latencies: number[] = [];
  let probing = true;
  const probe = (async () => {
    while (probing) {
      const t0 = performance.now();
      await vscode.commands.executeCommand('mmExplorer.showEngineVersion');
      latencies.push(Math.round(performance.now() - t0));
      await sleep(200);
    }
  })();
  try {
    const value = await work();
    const seen = {
      maxGapMs: Math.round(maxGapMs),
      ticks,
      long: long.join(' ') || 'none',
      latencies,
      ms: Math.round(performance.now() - start),
    };
    note(
      `    ${what}: ${seen.ms} ms, max host timer gap ${seen.maxGapMs} ms over ${ticks} ticks (gaps over 50 ms: ${seen.long}), command latencies ${latencies.join(', ')} ms`,
    );
    return { value, seen };
  } finally {
    clearInterval(timer);
    probing = false;
    await probe;
  }
}

const noProblems = (file: vscode.Uri) =>
  assert.deepEqual(
    vscode.languages
      .getDiagnostics(file)
      .filter((d) => d.source === 'mm-explorer')
      .map((d) => d.message),
    [],
  );

suite('the extension host stays responsive', () => {
  const scenario = () => workspaceFile('scenarios', 'two-faulters.mmscenario.yaml');

  suiteSetup(async () => {
    await api();
    await closeAll();
  });

  test('a comparison of several seconds: the host timer keeps firing and commands answer', async function () {
    this.timeout(120000);
    const { value: c, seen } = await watched('comparison', () =>
      vscode.commands.executeCommand<Comparison | undefined>('mmExplorer.compareVariants', {
        scenario: scenario().fsPath,
        columns: ['2.5.70', 'truncate-seq', 'install_new_page'],
      }),
    );
    const ms = seen.ms;
    assert.ok(c, 'the comparison is shown');
    assert.equal(c.partial, undefined);
    assert.deepEqual(
      c.runs.map((r) => [r.label, r.exploration?.complete, r.expectations.every((x) => x.met)]),
      [
        ['2.5.70', true, true],
        ['truncate-seq', true, true],
        ['install_new_page', true, true],
      ],
    );
    // if a faster explorer brings this under the bound, give the scenario more work
    assert.ok(ms > 500, `the comparison took ${ms} ms: too short to show anything`);
    assert.ok(seen.maxGapMs < MAX_GAP_MS, `the host's timer stopped for ${seen.maxGapMs} ms`);
    assert.ok(seen.latencies.length >= 3, `only ${seen.latencies.length} command probes answered during the run`);
    assert.ok(Math.max(...seen.latencies) < 1000, `command latencies ${seen.latencies.join(', ')} ms`);
  });

  test('an exploration: the host timer keeps firing', async function () {
    this.timeout(120000);
    const { value: x, seen } = await watched('exploration', () =>
      vscode.commands.executeCommand<Exploration | undefined>('mmExplorer.exploreSchedules', {
        scenario: scenario().fsPath,
        column: 'truncate-seq',
      }),
    );
    assert.ok(x);
    assert.equal(x.complete, true);
    assert.equal(x.violations.length, 0);
    assert.ok(seen.maxGapMs < MAX_GAP_MS, `the host's timer stopped for ${seen.maxGapMs} ms`);
  });

  test('an exploration cancelled in the middle of its search returns what it covered within seconds', async function () {
    this.timeout(60000);
    const ac = new AbortController();
    let cancelledAt = 0;
    setTimeout(() => {
      cancelledAt = performance.now();
      ac.abort();
    }, 1500);
    const { value: x, seen } = await watched('exploration cancelled after 1.5 s', () =>
      vscode.commands.executeCommand<Exploration | undefined>('mmExplorer.exploreSchedules', {
        scenario: repoPath('test/fixtures/hostile/ten-tasks.mmscenario.yaml'),
        column: 'fixed',
        signal: ac.signal,
      }),
    );
    const ms = Math.round(performance.now() - cancelledAt);
    assert.ok(x, 'the partial result is shown');
    assert.equal(x.cancelled, true);
    assert.equal(x.incompleteReason, 'cancelled');
    assert.ok(ms < 5000, `the cancel took ${ms} ms`);
    assert.ok(seen.maxGapMs < MAX_GAP_MS, `the host's timer stopped for ${seen.maxGapMs} ms`);
  });

  test('cancel after the first column finished: that column is shown, the rest is marked cancelled', async function () {
    this.timeout(120000);
    const { scenarios, panel } = await api();
    const ac = new AbortController();
    const finished: string[] = [];
    // install_new_page takes a fraction of truncate-seq's time: the cancel lands inside truncate-seq
    const { value: c, seen } = await watched('cancelled comparison', () =>
      vscode.commands.executeCommand<Comparison | undefined>('mmExplorer.compareVariants', {
        scenario: scenario().fsPath,
        columns: ['install_new_page', 'truncate-seq'],
        signal: ac.signal,
        onColumn: (label: string) => {
          finished.push(label);
          // cancelled as soon as the host hears of it: the worker is well inside truncate-seq's search then
          if (finished.length === 1) ac.abort();
        },
      }),
    );
    assert.deepEqual(finished, ['install_new_page'], 'only the first column finished before the cancel');
    assert.ok(c, 'the finished column is shown');
    assert.equal(c.partial?.reason, 'cancelled');
    assert.deepEqual(c.partial.requested, ['install_new_page', 'truncate-seq']);
    // the finished column is whole; the cut one, if it is shown, is incomplete and decides nothing
    assert.equal(c.runs[0].label, 'install_new_page');
    assert.equal(c.runs[0].exploration?.complete, true);
    assert.ok(
      c.runs[0].expectations.every((x) => x.met),
      JSON.stringify(c.runs[0].expectations),
    );
    for (const r of c.runs.slice(1)) {
      assert.equal(r.exploration?.complete, false, `${r.label} was cut by the cancel`);
      for (const x of r.expectations) assert.ok(x.met || x.undecided, `${r.label}: ${x.text} is shown as failed: ${x.detail}`);
    }
    assert.match(scenarios.status.text, /two-faulters cancelled \(\d of 2 columns, partial\)/);
    assert.match(panel.statusMessage ?? '', /^Cancelled: comparing two faulters and a truncate/);
    assert.equal(panel.comparison?.partial?.reason, 'cancelled');
    noProblems(scenario());
    assert.ok(seen.maxGapMs < MAX_GAP_MS, `the host's timer stopped for ${seen.maxGapMs} ms`);
  });
});
