// Hostile text must stay text: an XSS corpus goes into every field the panel shows, and messages of
// the wrong shape are refused on both sides (the page here, the host's validator in Node).
import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
import { validateHostMessage, validateWebviewMessage } from '../../src/webview/protocol';
import { openWebview, type WebviewPage } from './harness';
import { makeComparison, makeExploration } from './comparisonFixture';

const CSS = ['media/webview.css', 'dist/codicons/codicon.css'];

/** Payloads that run script if any field reaches innerHTML, an attribute or a URL. */
export const XSS_CORPUS = [
  '<img src=x onerror="window.__pwned=1">',
  '<script>window.__pwned=2</script>',
  '"><svg onload=window.__pwned=3>',
  "'><iframe srcdoc=\"<script>parent.__pwned=4</script>\">",
  '</title></style></textarea><img src=x onerror=window.__pwned=5>',
  'javascript:window.__pwned=6',
  '<a href="javascript:window.__pwned=7">x</a>',
  '<details open ontoggle=window.__pwned=8>',
  '<style>#root{display:none}</style>',
  '{{constructor.constructor("window.__pwned=9")()}}',
  '${window.__pwned=10}',
  '-static struct page *<img src=x onerror=window.__pwned=11>(struct vm_area_struct *vma)',
  '+\treturn install_new_page(mm, vma, address, write_access, pmd, "<svg/onload=window.__pwned=12>");',
  '\u202e\u0000<b>bold</b>&amp;&lt;',
];

interface G {
  __pwned?: number;
  document: { querySelectorAll(s: string): { length: number } };
}

async function assertInert(wv: WebviewPage): Promise<void> {
  // give any injected handler a chance to fire
  await wv.page.waitForTimeout(300);
  assert.equal(await wv.page.evaluate(() => (globalThis as unknown as G).__pwned), undefined, 'an injected script ran');
  const injected = await wv.page.evaluate(() => (globalThis as unknown as G).document.querySelectorAll('#root img, #root script, #root iframe, #root style, #root a, #root b, #root [onerror], #root [onload], #root [ontoggle]').length);
  assert.equal(injected, 0, 'hostile markup became elements');
  // nothing was even attempted: an attempt would show up as a CSP violation
  assert.deepEqual(await wv.cspViolations(), []);
  assert.deepEqual(wv.errors, []);
}

suite('webview security', () => {
  for (const [i, payload] of XSS_CORPUS.entries()) {
    test(`XSS corpus #${i} stays text in a comparison and an exploration`, async () => {
      const wv = await openWebview({ css: CSS });
      try {
        await wv.waitForPosted((m) => m.type === 'ready');
        await wv.send({ type: 'showComparison', comparison: makeComparison({ poison: payload }) });
        await wv.page.locator('.comparison').waitFor();
        // the hostile text is shown verbatim
        const title = await wv.page.locator('.comparison h1').textContent();
        assert.equal(title, `${payload}DFS pagefault / cross-node invalidate race`);
        // and in the rows, the tooltips and the step details
        await wv.page.locator('.timeline-rows').focus();
        await wv.page.keyboard.press('j');
        await wv.page.keyboard.press('Enter');
        await assertInert(wv);
        await wv.send({ type: 'showExploration', exploration: makeExploration(payload) });
        await wv.page.locator('svg.seq').waitFor();
        await wv.page.locator('.sequence').focus();
        await wv.page.keyboard.press('j');
        await assertInert(wv);
      } finally {
        await wv.close();
      }
    });
  }

  test('bidi controls in titles, names and messages reorder nothing outside their element', async () => {
    const wv = await openWebview({ css: CSS });
    try {
      await wv.waitForPosted((m) => m.type === 'ready');
      await wv.send({ type: 'showComparison', comparison: makeComparison({ poison: '\u202egnp.exe\u2067' }) });
      await wv.page.locator('.comparison').waitFor();
      // every element that holds text is a bidi isolate (the <bdi> behaviour)
      const notIsolated = await wv.page.evaluate(() => {
        const d = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ tagName: string; childNodes: ArrayLike<{ nodeType: number; textContent: string | null }> }> } }).document;
        const cs = (globalThis as unknown as { getComputedStyle(e: unknown): { unicodeBidi: string } }).getComputedStyle;
        const out: string[] = [];
        for (const e of Array.from(d.querySelectorAll('#root *'))) {
          const hasText = Array.from(e.childNodes).some((n) => n.nodeType === 3 && (n.textContent ?? '').trim() !== '');
          if (hasText && cs(e).unicodeBidi !== 'isolate') out.push(e.tagName);
        }
        return out;
      });
      assert.deepEqual(notIsolated, []);
      await wv.send({ type: 'showExploration', exploration: makeExploration('\u202eevil') });
      await wv.page.locator('svg.seq').waitFor();
      assert.equal(await wv.page.locator('svg.seq text').first().evaluate((e) => (globalThis as unknown as { getComputedStyle(e: unknown): { unicodeBidi: string } }).getComputedStyle(e).unicodeBidi), 'isolate');
    } finally {
      await wv.close();
    }
  });

  test('hostile text in restored state stays text', async () => {
    const payload = XSS_CORPUS[0];
    const wv = await openWebview({ css: CSS, state: { comparison: makeComparison({ poison: payload, runs: 1, events: 3 }) } });
    try {
      await wv.page.locator('.comparison').waitFor();
      await assertInert(wv);
    } finally {
      await wv.close();
    }
  });

  test('the page refuses malformed messages and keeps what it shows', async () => {
    const wv = await openWebview({ css: CSS });
    try {
      await wv.waitForPosted((m) => m.type === 'ready');
      const good = makeComparison();
      await wv.send({ type: 'showComparison', comparison: good });
      await wv.page.locator('.comparison').waitFor();
      const bad = makeComparison();
      (bad.runs[1].trace[3] as unknown as Record<string, unknown>).step = '3; alert(1)';
      await wv.send({ type: 'showComparison', comparison: { ...bad, title: 'SHOULD NOT SHOW' } });
      await wv.page.locator('#notice:not([hidden])').waitFor();
      const notice = await wv.page.locator('#notice').innerText();
      assert.ok(notice.includes('message.comparison.runs[1].trace[3].step'), notice);
      assert.equal(await wv.page.locator('.comparison h1').innerText(), good.title);
      for (const m of [null, 42, 'showComparison', { type: 'showComparison' }, { type: 'select', selection: { view: 'nope', step: 1 } }, { type: '__proto__' }, { type: 'constructor' }]) {
        await wv.send(m);
      }
      assert.equal(await wv.page.locator('.comparison h1').innerText(), good.title);
      assert.deepEqual(wv.errors, []);
    } finally {
      await wv.close();
    }
  });

  test('validators name the path of the first mismatch, both directions', () => {
    assert.deepEqual(validateWebviewMessage({ type: 'ready' }), { ok: true, message: { type: 'ready' } });
    const sel = validateWebviewMessage({ type: 'selectStep', selection: { view: 'comparison', run: '0', step: 1 } });
    assert.equal(sel.ok, false);
    assert.equal(!sel.ok && sel.error, 'message.selection.run: expected an integer');
    assert.equal(validateWebviewMessage({ type: 'export', format: 'pdf' }).ok, false);
    assert.equal(validateWebviewMessage({ type: 'revealFunction' }).ok, false);
    assert.equal(validateWebviewMessage({ type: 'hasOwnProperty' }).ok, false);
    assert.equal(validateWebviewMessage([]).ok, false);
    assert.equal(validateHostMessage({ type: 'showComparison', comparison: makeComparison({ runs: 4 }) }).ok, true);
    const c = makeComparison();
    (c.runs[0].violations[0] as unknown as Record<string, unknown>).locksHeld = 'page_table_lock';
    const r = validateHostMessage({ type: 'showComparison', comparison: c });
    assert.equal(!r.ok && r.error, 'message.comparison.runs[0].violations[0].locksHeld: expected an array');
    const x = makeExploration();
    (x.violations[0].replay!.trace[0] as unknown as Record<string, unknown>).kind = 'innerHTML';
    assert.equal(validateHostMessage({ type: 'showExploration', exploration: x }).ok, false);
  });
});
