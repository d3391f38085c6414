// The comparison panel in Chromium: rendering, keyboard stepping, state restore, a 10k-event trace,
// and the exploration's sequence diagram with replay.
import * as assert from 'node:assert/strict';

import { suite, test } from 'mocha';

import { makeComparison, makeExploration, resultOnAnotherRun } from './comparisonFixture';
import { openWebview, type WebviewPage } from './harness';

const CSS = ['media/webview.css', 'dist/codicons/codicon.css'];

async function ready(wv: WebviewPage): Promise<void> {
  await wv.waitForPosted((m) => m.type === 'ready');
}

const q = (wv: WebviewPage, sel: string) => wv.page.locator(sel);

suite('comparison panel', () => {
  test('renders variant columns, invariants, lock swimlanes, results and the first divergence', async () => {
    const wv = await openWebview({ css: CSS });
    try {
      await ready(wv);
      const c = makeComparison({ runs: 3 });
      await wv.send({ type: 'showComparison', comparison: c });
      await q(wv, '.comparison').waitFor();
      // the page tells the host it has drawn the comparison
      // the page reports what it drew, read back from its own table
      const columns = ['2.5.70', 'install_new_page', 'install_new_page-hch'];
      assert.deepEqual(await wv.waitForPosted((m) => m.type === 'rendered'), {
        type: 'rendered',
        view: 'comparison',
        events: 3 * 13,
        drawn: {
          columns,
          cards: columns,
          // each card's expectation verdict as drawn: a race found is not a proof of absence
          verdicts: [
            ['race found as expected: violation: stale-pte (some schedule) — found'],
            ['proven absent: never: stale-pte (all schedules) — none in 12 schedules'],
            ['proven absent: never: stale-pte (all schedules) — none in 12 schedules'],
          ],
          invariants: [
            { invariant: 'stale-pte', cells: ['1 violated', 'held', 'held'] },
            { invariant: 'ref-balance', cells: ['held', 'held', 'held'] },
          ],
        },
      });
      assert.deepEqual(await q(wv, '.timeline-head .cell').allInnerTexts(), ['2.5.70', 'install_new_page', 'install_new_page-hch']);
      assert.equal(
        await q(wv, '.comparison').evaluate((e) =>
          (e as unknown as { style: { getPropertyValue(p: string): string } }).style.getPropertyValue('--mm-cols'),
        ),
        '3',
      );
      // invariant table: stale-pte violated in the first column only
      const stale = q(wv, '.invariant-table tbody tr').first();
      assert.equal(await stale.locator('th').innerText(), 'stale-pte');
      assert.deepEqual(await Promise.all((await stale.locator('td').all()).map((t) => t.getAttribute('class'))), ['bad', 'ok', 'ok']);
      // one swimlane block per run, with a lane for page_table_lock and a violation marker in run 0
      assert.equal(await q(wv, '.swimlane').count(), 3);
      const lanes0 = await q(wv, '.swimlane[data-run="0"] .lane-label').allInnerTexts();
      assert.ok(lanes0.includes('page_table_lock'), `lanes: ${lanes0.join(', ')}`);
      assert.ok(lanes0.includes('mmap_sem'));
      assert.equal(await q(wv, '.swimlane[data-run="0"] rect.viol').count(), 1);
      assert.equal(await q(wv, '.swimlane[data-run="1"] rect.viol').count(), 0);
      // the shared (read) hold of mmap_sem is drawn apart from exclusive holds
      assert.ok((await q(wv, '.swimlane[data-run="0"] rect.seg.shared').count()) > 0);
      // fault results and signals
      assert.ok((await q(wv, '.run-card[data-run="1"] li.signal').textContent())!.includes('SIGBUS'));
      // the first divergence: banner and the marked cells
      assert.ok((await q(wv, '.banner.divergence').innerText()).includes('First divergence at step 0'));
      assert.equal(await q(wv, '.cell.diverges').count(), 3);
      // rows aligned by step: the first row shows each run's first event
      const firstRow = q(wv, '.vlist-row[data-index="0"] .cell');
      assert.ok((await firstRow.nth(0).innerText()).includes('handle_mm_fault'));
      assert.ok((await firstRow.nth(1).innerText()).includes('invalidate_mmap_range'));
      assert.deepEqual(await wv.cspViolations(), []);
      assert.deepEqual(wv.errors, []);
    } finally {
      await wv.close();
    }
  });

  test('each expectation line says what it speaks of: some or all schedules, this run, or another run and what this one gives', async () => {
    const c = makeComparison({ runs: 2 });
    c.runs[0].expectations = [
      { text: 'never: any', scope: 'all schedules', met: true, detail: 'no schedule violates it (12 schedules, complete)' },
      resultOnAnotherRun(),
      {
        text: 'result fault#0 = 0x10000',
        scope: 'run',
        on: 'default order',
        shown: { same: false, met: true, detail: 'mmap: 0x10000' },
        met: true,
        detail: 'mmap: 0x10000',
      },
    ];
    c.runs[1].expectations = [
      {
        text: 'signal fault#1 SIGBUS',
        scope: 'run',
        on: 'counterexample of 2.5.70',
        shown: { same: true, met: true, detail: 'read#1: SIGBUS' },
        met: true,
        detail: 'read#1: SIGBUS',
      },
      // saved by a version whose outcomes did not say what they speak of: drawn as it was
      { text: 'violation: stale-pte', met: true, detail: 'found' },
    ];
    const wv = await openWebview({ css: CSS });
    try {
      await ready(wv);
      await wv.send({ type: 'showComparison', comparison: c });
      const drawn = (await wv.waitForPosted((m) => m.type === 'rendered')) as { drawn?: { verdicts: string[][] } };
      assert.deepEqual(drawn.drawn?.verdicts, [
        [
          'proven absent: never: any (all schedules) — no schedule violates it (12 schedules, complete)',
          'met: result fault#1 = no fault (default order, not the run shown) — read: no fault; the run shown: read: SIGBUS (not met there)',
          'met: result fault#0 = 0x10000 (default order, not the run shown) — mmap: 0x10000; the same in the run shown',
        ],
        [
          'met: signal fault#1 SIGBUS (this run: counterexample of 2.5.70) — read#1: SIGBUS',
          'race found as expected: violation: stale-pte — found',
        ],
      ]);
      // where the run on the card gives another verdict, that part stands out
      assert.equal(await q(wv, '.run-card[data-run="0"] .shown.differs').count(), 1);
      assert.match(await q(wv, '.run-card[data-run="0"] .shown.differs').innerText(), /SIGBUS.*not met there/);
      assert.deepEqual(wv.errors, []);
    } finally {
      await wv.close();
    }
  });

  test('keyboard stepping moves the selection and reports it; Enter reveals the function', async () => {
    const wv = await openWebview({ css: CSS });
    try {
      await ready(wv);
      await wv.send({ type: 'showComparison', comparison: makeComparison() });
      const list = q(wv, '.timeline-rows');
      await list.focus();
      await wv.page.keyboard.press('j');
      const sel = await wv.waitForPosted((m) => m.type === 'selectStep');
      assert.deepEqual(sel.selection, { view: 'comparison', run: 0, step: 1 });
      // step 1 of the fault path ends in do_no_page dropping page_table_lock
      assert.equal(sel.fn, 'do_no_page');
      await wv.page.keyboard.press('ArrowDown');
      await wv.page.keyboard.press('ArrowDown');
      await wv.page.keyboard.press('k');
      await wv.page.keyboard.press('l');
      const posted = (await wv.posted()).filter((m) => m.type === 'selectStep');
      const last = posted[posted.length - 1];
      assert.deepEqual(last.selection, { view: 'comparison', run: 1, step: 2 });
      assert.equal(await q(wv, '.vlist-row.selected .gutter').first().innerText(), '2');
      const cur = await Promise.all((await q(wv, '.cell.current').all()).map((c) => c.getAttribute('data-run')));
      assert.ok(cur.length > 0 && cur.every((r) => r === '1'), `current cells in runs ${cur.join(',')}`);
      // the selection is saved for restore
      const state = (await wv.state()) as { selection: unknown };
      assert.deepEqual(state.selection, { view: 'comparison', run: 1, step: 2 });
      await wv.page.keyboard.press('Enter');
      const reveal = await wv.waitForPosted((m) => m.type === 'revealFunction');
      assert.equal(typeof reveal.fn, 'string');
      assert.ok((reveal.fn as string).length > 0);
      // the host can drive the selection too, without an echo back
      const before = (await wv.posted()).length;
      await wv.send({ type: 'select', selection: { view: 'comparison', run: 0, step: 4 } });
      await wv.page.waitForFunction(() =>
        (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document
          .querySelector('.status')
          ?.textContent?.startsWith('Step 4'),
      );
      assert.equal((await wv.posted()).length, before);
      assert.deepEqual(wv.errors, []);
    } finally {
      await wv.close();
    }
  });

  test('a click on a lock swimlane selects the step under the pointer', async () => {
    const wv = await openWebview({ css: CSS });
    try {
      await ready(wv);
      const c = makeComparison();
      await wv.send({ type: 'showComparison', comparison: c });
      const lane = q(wv, '.swimlane[data-run="1"] svg.lane').first();
      const box = (await lane.boundingBox())!;
      const maxStep = Math.max(...c.runs.flatMap((r) => r.trace.map((e) => e.step)));
      // the middle of the lane is the middle of the run
      await lane.click({ position: { x: box.width / 2, y: box.height / 2 } });
      const sel = await wv.waitForPosted((m) => m.type === 'selectStep');
      const s = sel.selection as { run: number; step: number };
      assert.equal(s.run, 1);
      assert.ok(Math.abs(s.step - (maxStep + 1) / 2) <= 1, `step ${s.step} of ${maxStep}`);
      const x = await q(wv, '.swimlane[data-run="1"] svg.lane rect.cursor').first().getAttribute('x');
      assert.equal(Number(x), s.step);
    } finally {
      await wv.close();
    }
  });

  test('the toolbar and the divergence banner post typed requests', async () => {
    const wv = await openWebview({ css: CSS });
    try {
      await ready(wv);
      const c = makeComparison();
      c.firstDivergence = { step: 3, eventIndex: [4, 4], summary: 'the runs part here' };
      await wv.send({ type: 'showComparison', comparison: c });
      await q(wv, '.mm-button').filter({ hasText: 'Export JSON' }).click();
      assert.deepEqual(await wv.waitForPosted((m) => m.type === 'export'), { type: 'export', format: 'json' });
      await q(wv, '.banner.divergence .mm-button').click();
      const sel = await wv.waitForPosted((m) => m.type === 'selectStep');
      assert.deepEqual(sel.selection, { view: 'comparison', run: 0, step: 3 });
      assert.equal(await q(wv, '.vlist-row.divergence .gutter').first().innerText(), '3');
      // the exploration outcome of each invariant is shown next to the run's own count
      c.invariants[0].explored = ['violated', 'held'];
      await wv.send({ type: 'showComparison', comparison: c });
      const cells = await q(wv, '.invariant-table tbody tr').first().locator('td').allInnerTexts();
      assert.match(cells[0], /1 violated · all schedules: violated/);
      assert.match(cells[1], /held · all schedules: held/);
      assert.deepEqual(wv.errors, []);
    } finally {
      await wv.close();
    }
  });

  test('takes its colours from the VS Code theme', async () => {
    const colours: string[] = [];
    for (const theme of ['light', 'dark'] as const) {
      const wv = await openWebview({ css: CSS, theme });
      try {
        await ready(wv);
        await wv.send({ type: 'showComparison', comparison: makeComparison() });
        await q(wv, '.timeline-head').waitFor();
        colours.push(
          await q(wv, '.timeline-head').evaluate(
            (e) => (globalThis as unknown as { getComputedStyle(x: unknown): { color: string } }).getComputedStyle(e).color,
          ),
        );
      } finally {
        await wv.close();
      }
    }
    // the harness's --vscode-foreground of each theme
    assert.deepEqual(colours, ['rgb(59, 59, 59)', 'rgb(204, 204, 204)']);
  });

  test('restores the comparison and the selection from saved state without the host', async () => {
    const c = makeComparison();
    const wv = await openWebview({ css: CSS, state: { comparison: c, selection: { view: 'comparison', run: 1, step: 3 } } });
    try {
      await q(wv, '.comparison').waitFor();
      assert.ok((await q(wv, '.comparison .status').innerText()).startsWith('Step 3 · install_new_page'));
      const runs = await Promise.all((await q(wv, '.cell.current').all()).map((c) => c.getAttribute('data-run')));
      assert.ok(runs.length > 0 && runs.every((r) => r === '1'), `current cells in runs ${runs.join(',')}`);
    } finally {
      await wv.close();
    }
  });

  test('a 10k-event trace per column renders in well under a second and scrolls by keyboard', async () => {
    const wv = await openWebview({ css: CSS });
    try {
      await ready(wv);
      const c = makeComparison({ runs: 4, events: 10_000 });
      // dispatch in the page so the time measured is the page's own work (validate + lay out + draw)
      const ms = await wv.page.evaluate(
        (data) => {
          const g = globalThis as unknown as {
            performance: { now(): number };
            dispatchEvent(e: unknown): void;
            MessageEvent: new (t: string, i: unknown) => unknown;
          };
          const t0 = g.performance.now();
          g.dispatchEvent(new g.MessageEvent('message', { data }));
          return g.performance.now() - t0;
        },
        { type: 'showComparison', comparison: c },
      );
      const rows = await q(wv, '.vlist-row:not([hidden])').count();
      assert.ok(rows > 10 && rows < 200, `${rows} rows in the DOM: the list must be virtual`);
      assert.ok(ms < 1000, `rendering took ${ms.toFixed(0)} ms`);
      console.log(`      4 x 10k events rendered in ${ms.toFixed(1)} ms, ${rows} rows in the DOM`);
      await q(wv, '.timeline-rows').focus();
      await wv.page.keyboard.press('End');
      const last = await q(wv, '.vlist-row.selected .gutter').first().innerText();
      assert.ok(Number(last) > 1000, `End went to step ${last}`);
    } finally {
      await wv.close();
    }
  });
});

suite('exploration panel', () => {
  test('draws the counterexample as a sequence diagram and replays it step by step', async () => {
    const wv = await openWebview({ css: CSS });
    try {
      await ready(wv);
      const x = makeExploration();
      await wv.send({ type: 'showExploration', exploration: x });
      await q(wv, 'svg.seq').waitFor();
      const heads = await q(wv, 'svg.seq-head .lifeline-head').allTextContents();
      assert.deepEqual(heads.slice(0, 2), ['fault', 'invalidate']);
      assert.ok(heads.includes('page_table_lock'), `lifelines: ${heads.join(', ')}`);
      assert.ok((await q(wv, 'svg.seq .arrow.lock').count()) > 0);
      // at step 0 everything later is dimmed
      const future0 = await q(wv, 'svg.seq .ev.future').count();
      assert.ok(future0 > 0);
      await q(wv, '.sequence').focus();
      await wv.page.keyboard.press('j');
      const sel = await wv.waitForPosted((m) => m.type === 'selectStep');
      assert.deepEqual(sel.selection, { view: 'exploration', counterexample: 0, step: 1 });
      assert.ok((await q(wv, 'svg.seq .ev.future').count()) < future0);
      await wv.page.keyboard.press('End');
      assert.equal(await q(wv, 'svg.seq .ev.future').count(), 0);
      assert.ok((await q(wv, '.schedule').innerText()).startsWith('Schedule: 0 0'));
      assert.deepEqual(wv.errors, []);
      assert.deepEqual(await wv.cspViolations(), []);
    } finally {
      await wv.close();
    }
  });
});
