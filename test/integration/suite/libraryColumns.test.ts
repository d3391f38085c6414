// Bundled scenarios whose columns the CLI and unit tests run, compared here through the extension's
// command: munmap racing a thread's fault (the kernel's mmap_sem for write against a mutation that takes
// it for read) and the 2.6.11 columns of the truncate, reclaim and mremap races. What each column must
// show is read from the scenario file's own `expect` entries, then checked in the model the panel holds
// and in what the page drew (column headings, run-card verdicts, invariant cells).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import { parse } from 'yaml';

import type { Comparison } from '../../../src/scenario/comparisonModel';
import type { Exploration } from '../../../src/scenario/explorationModel';
import type { DrawnComparison } from '../../../src/webview/protocol';

import { api, bundledScenario, closeAll, waitFor, webviewTabOpen } from './helpers';

type OneOrMany<T> = T | T[] | undefined;

/** an `expect` entry as the scenario file writes it */
interface ExpectEntry {
  violation?: OneOrMany<string>;
  never?: OneOrMany<string>;
  clean?: boolean;
  results?: { task: string; op: number; result: string }[];
  signals?: { task: string; op: number; signal: string }[];
  lockOps?: { fn?: string; lock: string; count?: number; min?: number; max?: number }[];
}

interface ScenarioDoc {
  world: { mms?: { name: string }[] };
  tasks: { name: string; mm?: string; ops: { op: string; addr?: number }[] }[];
  variants: Record<string, unknown>;
  schedule?: unknown;
  expect: Record<string, ExpectEntry>;
}

const list = <T>(v: OneOrMany<T>): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function readScenario(name: string): { file: string; doc: ScenarioDoc } {
  const file = bundledScenario(name);
  const doc = parse(fs.readFileSync(file, 'utf8')) as ScenarioDoc;
  assert.ok(doc && doc.variants && doc.expect, `${name}: no variants or expect block`);
  return { file, doc };
}

/** Compare `columns` through the command and wait until the page has drawn exactly those columns. */
async function compareInPanel(file: string, columns: string[]): Promise<{ c: Comparison; drawn: DrawnComparison }> {
  const { panel } = await api();
  const rendersBefore = panel.renders;
  const c = await vscode.commands.executeCommand<Comparison>('mmExplorer.compareVariants', { scenario: file, columns });
  assert.ok(c, `no comparison of ${path.basename(file)}`);
  assert.equal(panel.comparison, c, 'the panel holds the comparison the command returned');
  await waitFor('the panel', () => webviewTabOpen());
  const drawn = await waitFor(
    `the page to draw ${path.basename(file)}`,
    () => panel.renders > rendersBefore && panel.drawn?.columns.join('|') === columns.join('|') && panel.drawn,
    60_000,
  );
  return { c, drawn };
}

/** whether the comparison's runs followed the scenario's own default schedule: the counterexample it names */
function ranDefaultSchedule(c: Comparison, doc: ScenarioDoc): boolean {
  const from = doc.schedule as { counterexampleOf?: string; invariant?: string } | undefined;
  if (from?.counterexampleOf === undefined) return false;
  const source = c.schedule?.source ?? '';
  return source.startsWith(`counterexample of ${from.counterexampleOf} `) && (!from.invariant || source.endsWith(`(${from.invariant})`));
}

/** Check one column against the file's expect entry: in the model and as the page drew it. */
function checkColumn(c: Comparison, drawn: DrawnComparison, label: string, e: ExpectEntry, sharedIsDefault: boolean): void {
  const i = c.runs.findIndex((r) => r.label === label);
  assert.ok(i >= 0, `no column '${label}' in ${c.runs.map((r) => r.label).join(', ')}`);
  const run = c.runs[i];
  assert.equal(drawn.columns[i], label, 'the invariant table heading');
  assert.equal(drawn.cards[i], label, 'the run card heading');
  // every entry of the file is reported, and held (a cancelled or cut-short search would be undecided)
  const entries =
    list(e.violation).length +
    list(e.never).length +
    (e.clean === undefined ? 0 : 1) +
    (e.results?.length ?? 0) +
    (e.signals?.length ?? 0) +
    (e.lockOps?.length ?? 0);
  assert.equal(run.expectations.length, entries, `${label}: ${run.expectations.map((x) => x.text).join('; ')}`);
  for (const x of run.expectations) assert.ok(x.met && !x.undecided, `${label}: ${x.text}: ${x.detail}`);
  const verdicts = drawn.verdicts[i];
  assert.equal(verdicts.length, entries, `${label}, drawn: ${verdicts.join('; ')}`);
  assert.ok(!verdicts.some((v) => /^(not met|undecided)\b/.test(v)), `${label}: ${verdicts.join('; ')}`);

  const row = (inv: string) => {
    const r = c.invariants.findIndex((x) => x.invariant === inv);
    assert.ok(r >= 0, `${label}: no invariant row ${inv} (${c.invariants.map((x) => x.invariant).join(', ')})`);
    return { model: c.invariants[r], cell: drawn.invariants.find((x) => x.invariant === inv)?.cells[i] ?? '' };
  };
  for (const inv of list(e.violation)) {
    // found by the column's exploration, and drawn as violated over all schedules
    const { model, cell } = row(inv);
    assert.equal(model.explored?.[i], 'violated', `${label}: ${inv} explored ${String(model.explored?.[i])}`);
    // (this run may hold it: the runs share the first counterexample found, of whichever invariant)
    assert.match(cell, /· all schedules: violated$/, `${label}: ${inv} cell`);
    assert.ok(
      verdicts.some((v) => v.startsWith(`race found as expected: violation: ${inv}`)),
      `${label}: ${verdicts.join('; ')}`,
    );
  }
  for (const inv of list(e.never)) {
    // a complete search: every invariant (or the one named) held over all schedules, not just this run
    const rows = inv === 'any' ? c.invariants.map((x) => x.invariant) : [inv];
    for (const name of rows) {
      const { model, cell } = row(name);
      assert.equal(model.counts[i], 0, `${label}: ${name} in this run`);
      assert.equal(model.explored?.[i], 'held', `${label}: ${name} explored ${String(model.explored?.[i])}`);
      assert.match(cell, /^held · all schedules: held$/, `${label}: ${name} cell`);
    }
    assert.ok(
      verdicts.some((v) => v.startsWith(`proven absent: never: ${inv}`)),
      `${label}: ${verdicts.join('; ')}`,
    );
  }
  // results, signals and lock counts are checked on the scenario's default schedule, which need not be
  // the schedule the comparison's runs share (the first counterexample): read their verdict lines
  const met = (prefix: string, also = '') =>
    assert.ok(
      verdicts.some((v) => v.startsWith(`met: ${prefix}`) && v.includes(also)),
      `${label}: no met '${prefix}' in ${verdicts.join('; ')}`,
    );
  for (const r of e.results ?? []) met(`result ${r.task}#${r.op} = ${String(r.result)}`);
  for (const x of e.signals ?? []) met(`signal ${x.task}#${x.op} ${x.signal}`);
  for (const l of e.lockOps ?? []) met(`lockOps ${l.lock}`, l.fn ?? '');
  // each line says what it speaks of; a run line checked on another run than the card's says so, and
  // what the card's run gives, which agrees with the results the card lists
  const says = (prefix: string) =>
    assert.ok(
      verdicts.some((v) => v.startsWith(prefix)),
      `${label}: no '${prefix}' in ${verdicts.join('; ')}`,
    );
  for (const inv of list(e.never)) says(`proven absent: never: ${inv} (all schedules)`);
  for (const inv of list(e.violation)) says(`race found as expected: violation: ${inv} (some schedule)`);
  for (const x of run.expectations.filter((y) => y.scope === 'run')) {
    const line = verdicts.find((v) => v.includes(`: ${x.text} (`));
    assert.ok(line && x.shown && x.on, `${label}: ${x.text}: ${verdicts.join('; ')}`);
    if (x.shown.same) assert.ok(line.includes(` (this run: ${x.on}) `), `${label}: ${line}`);
    else
      assert.ok(
        line.includes(` (${x.on}, not the run shown) `) &&
          (line.includes(`the run shown: ${x.shown.detail}`) || line.includes('the same in the run shown')),
        `${label}: ${line}`,
      );
  }
  for (const r of e.results ?? []) {
    const x = run.expectations.find((y) => y.text === `result ${r.task}#${r.op} = ${String(r.result)}`);
    const got = run.results.find((y) => y.task === r.task && y.index === r.op);
    assert.equal(x?.shown?.met, got?.result === String(r.result), `${label}: ${x?.text} on the card's run: ${got?.result}`);
  }
  // where the comparison ran the scenario's own schedule (a counterexample the file names), the run
  // the panel shows has them too
  if (sharedIsDefault) {
    for (const r of e.results ?? []) {
      const got = run.results.find((x) => x.task === r.task && x.index === r.op);
      assert.equal(got?.result, String(r.result), `${label}: result of ${r.task}#${r.op}`);
    }
    for (const x of e.signals ?? []) {
      const got = run.results.find((y) => y.task === x.task && y.index === x.op);
      assert.equal(got?.signal, x.signal, `${label}: signal of ${x.task}#${x.op}`);
    }
    for (const l of e.lockOps ?? []) {
      const fns = l.fn ? [l.fn] : Object.keys(run.lockOps);
      const n = fns.reduce((sum, fn) => sum + (run.lockOps[fn]?.[l.lock] ?? 0), 0);
      const where = `${label}: ${l.lock}${l.fn ? ` in ${l.fn}` : ''} counted ${n}`;
      if (l.count !== undefined) assert.equal(n, l.count, where);
      if (l.min !== undefined) assert.ok(n >= l.min, where);
      if (l.max !== undefined) assert.ok(n <= l.max, where);
    }
  }
}

function problemsOf(file: string): string[] {
  return vscode.languages
    .getDiagnostics(vscode.Uri.file(file))
    .filter((d) => d.source === 'mm-explorer')
    .map((d) => d.message);
}

suite('bundled scenario columns in the panel', () => {
  suiteSetup(async () => {
    await api();
    await closeAll();
  });

  test('munmap-thread-fault: the kernel locking is clean, munmap under read lock leaves an orphan pte', async function () {
    this.timeout(180_000);
    const { file, doc } = readScenario('munmap-thread-fault.mmscenario.yaml');
    const labels = Object.keys(doc.variants);
    const mutation = labels.find((l) => list(doc.expect[l]?.violation).length > 0);
    const kernel = labels.find((l) => list(doc.expect[l]?.never).length > 0);
    assert.ok(mutation && kernel, `columns ${labels.join(', ')}: one must expect a violation, one never`);
    assert.equal(mutation, 'munmap under read lock', 'the mutation column of the scenario file');

    const { c, drawn } = await compareInPanel(file, labels);
    for (const label of labels) checkColumn(c, drawn, label, doc.expect[label], ranDefaultSchedule(c, doc));
    // the same invariant is held under the kernel's locking and violated by the mutation
    for (const inv of list(doc.expect[mutation].violation)) {
      const r = c.invariants.find((x) => x.invariant === inv);
      assert.equal(r?.explored?.[labels.indexOf(kernel)], 'held', `${inv} under ${kernel}`);
    }
    assert.deepEqual(problemsOf(file), []);
    const { scenarios, panel, pageTables } = await api();
    assert.match(scenarios.status.text, /munmap-thread-fault ok/);

    // explore the mutation and step the panel to its orphan-pte counterexample
    const invariant = list(doc.expect[mutation].violation)[0];
    const rendersBefore = panel.renders;
    const x = await vscode.commands.executeCommand<Exploration>('mmExplorer.exploreSchedules', { scenario: file, column: mutation });
    assert.ok(x, 'no exploration');
    assert.equal(panel.exploration, x);
    const cx = x.violations.findIndex((v) => v.invariant === invariant);
    assert.ok(cx >= 0, `no ${invariant} counterexample: ${x.violations.map((v) => v.invariant).join(', ')}`);
    const v = x.violations[cx];
    const trace = v.replay?.trace ?? [];
    assert.ok(trace.length > 0, 'the counterexample is replayed with its trace');
    await waitFor('the page to draw the exploration', () => panel.renders > rendersBefore, 30_000);
    // the munmapped range, from the file: the thread's pte is left there with no VMA over it
    const unmap = doc.tasks.flatMap((t) => t.ops.map((o) => ({ mm: t.mm, o }))).find((t) => t.o.op === 'munmap');
    assert.ok(unmap?.mm !== undefined && unmap.o.addr !== undefined, 'the scenario unmaps a range');
    const orphan = () => {
      const mm = pageTables.current?.snapshot.mms.find((m) => m.name === unmap.mm);
      const pte = mm?.ptes.find((p) => p.addr === unmap.o.addr && p.kind === 'present');
      return mm && pte && !mm.vmas.some((a) => a.start <= pte.addr && pte.addr < a.end) ? pte : undefined;
    };
    // as the Step buttons would: select the counterexample's violation step, then the step before the pte went in
    panel.select({ view: 'exploration', counterexample: cx, step: v.step });
    panel.receive({ type: 'selectStep', selection: { view: 'exploration', counterexample: cx, step: v.step } });
    await waitFor('the tree at the violation step', () => pageTables.current?.step === v.step, 30_000);
    assert.ok(orphan(), `at step ${v.step} a present pte at ${unmap.o.addr} is outside every VMA of ${unmap.mm}`);
    // the view shows it under the mm, in the group of ptes no VMA covers
    const orphanItem = () => {
      const mmNode = pageTables.getChildren().find((n) => n.kind === 'mm' && n.mm.name === unmap.mm);
      const group = mmNode && pageTables.getChildren(mmNode).find((n) => n.kind === 'orphans');
      return group && pageTables.getChildren(group).find((n) => n.kind === 'pte' && n.pte.addr === unmap.o.addr);
    };
    assert.ok(orphanItem(), 'the page-table view lists the orphan pte outside any VMA');
    const ptes = trace.filter((e) => e.kind === 'pte' && e.step <= v.step);
    assert.ok(ptes.length > 0, 'the counterexample installs a pte');
    const before = Math.max(0, ptes[ptes.length - 1].step - 1);
    panel.receive({ type: 'selectStep', selection: { view: 'exploration', counterexample: cx, step: before } });
    await waitFor('the tree before the pte', () => pageTables.current?.step === before, 30_000);
    assert.equal(orphan(), undefined, `no orphan pte yet at step ${before}`);
    assert.equal(orphanItem(), undefined, 'nothing outside any VMA before the pte');
  });

  test('the 2.6.11 columns of the truncate, reclaim and mremap races show their verdicts', async function () {
    this.timeout(300_000);
    for (const name of ['truncate-race', 'reclaim-race', 'mremap-truncate']) {
      const { file, doc } = readScenario(`${name}.mmscenario.yaml`);
      const labels = Object.keys(doc.variants);
      const modern = labels.filter((l) => l.startsWith('2.6.11'));
      assert.ok(modern.length > 0, `${name}: no 2.6.11 column`);
      // the 2.6.11 columns beside one that expects the race (the contrast), at most four in all
      const racy = labels.find((l) => !modern.includes(l) && list(doc.expect[l]?.violation).length > 0);
      const columns = labels.filter((l) => modern.includes(l) || l === racy).slice(0, 4);
      assert.ok(columns.length >= 2, `${name}: ${columns.join(', ')}`);
      const { c, drawn } = await compareInPanel(file, columns);
      assert.deepEqual(
        c.runs.map((r) => r.label),
        columns,
      );
      for (const label of columns) {
        const e = doc.expect[label];
        assert.ok(e, `${name}: no expect entry for ${label}`);
        checkColumn(c, drawn, label, e, ranDefaultSchedule(c, doc));
      }
      // a file whose schedule is a compared column's counterexample: the runs follow it, so the results
      // the panel lists were checked above too
      const from = (doc.schedule as { counterexampleOf?: string } | undefined)?.counterexampleOf;
      if (from !== undefined && columns.includes(from)) assert.ok(ranDefaultSchedule(c, doc), `${name}: ${c.schedule?.source}`);
      assert.deepEqual(problemsOf(file), [], name);
      const { scenarios } = await api();
      assert.match(scenarios.status.text, new RegExp(`${name} ok`));
    }
    await closeAll();
  });
});
