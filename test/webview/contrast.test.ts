// Readability in VS Code's four default themes: every status text of the comparison panel (held,
// violated, race found, proven absent, undecided, muted details, banners) has a contrast of at least
// 4.5:1 against the background it is drawn on, from the computed colours in Chromium. Also: a met
// `violation:` and a met `never:` look different, a cancelled run says so, the divergence banner names
// its step once, and a long counterexample schedule is compressed and stays inside its card.
import * as assert from 'node:assert/strict';

import { suite, test } from 'mocha';

import type { Comparison } from '../../src/scenario/comparisonModel';

import { makeComparison, resultOnAnotherRun } from './comparisonFixture';
import { openWebview } from './harness';
import type { ThemeName } from './themes';

const CSS = ['media/webview.css', 'dist/codicons/codicon.css'];

function comparison(): Comparison {
  const c = makeComparison({ runs: 3 });
  c.firstDivergence = { ...c.firstDivergence!, step: 4, summary: 'step 4: 2.5.70: do_no_page | install_new_page: install_new_page' };
  c.runs[0].expectations = [
    { text: 'violation: stale-pte', scope: 'some schedule', met: true, detail: 'found: schedule 0*21,1 (1 preemption): stale pte' },
    resultOnAnotherRun(),
    {
      text: 'never: oops',
      scope: 'all schedules',
      met: false,
      detail: `oops with schedule ${Array.from({ length: 60 }, (_, i) => (i % 7 === 0 ? 1 : 0)).join(',')}: NULL dereference`,
    },
  ];
  c.runs[1].expectations = [
    { text: 'never: stale-pte', scope: 'all schedules', met: true, detail: 'no schedule violates it (12 schedules, complete)' },
  ];
  c.runs[2].expectations = [
    {
      text: 'never: stale-pte',
      scope: 'all schedules',
      met: false,
      undecided: true,
      detail: 'cancelled before the search could decide (40 schedules so far)',
    },
  ];
  c.invariants[0].explored = ['violated', 'held', 'not found'];
  c.partial = { reason: 'cancelled', requested: [...c.runs.map((r) => r.label), 'truncate-seq'] };
  return c;
}

/** WCAG contrast of the computed text colour against the first opaque background behind it */
const CONTRAST_PROBE = `(() => {
  const parse = (s) => {
    let m = /^rgba?\\(([^)]+)\\)$/.exec(s);
    if (m) { const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; }
    m = /^color\\(srgb ([^)]+)\\)$/.exec(s);
    if (m) { const p = m[1].split(/[ \\/]+/).filter(Boolean).map(Number); return [p[0] * 255, p[1] * 255, p[2] * 255, p.length > 3 ? p[3] : 1]; }
    throw new Error('colour ' + s);
  };
  const over = (top, bottom) => { const a = top[3]; return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat(1); };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) { const b = parse(getComputedStyle(e).backgroundColor); if (b[3] > 0) layers.push(b); if (b[3] === 1) break; }
    let bg = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg;
  };
  const out = [];
  const sel = '.met, .unmet, .undecided, .muted, td.ok, td.bad, li.signal, .violations, .banner span, .outcome, .scope, .shown, .scenario-name';
  for (const el of document.querySelectorAll(sel)) {
    if (!el.textContent.trim() || !el.getClientRects().length) continue;
    const bg = background(el);
    const fg = over(parse(getComputedStyle(el).color), bg);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    out.push({ cls: el.className, text: el.textContent.trim().slice(0, 40), ratio: Math.round(((a + 0.05) / (b + 0.05)) * 100) / 100 });
  }
  return out;
})()`;

suite('readability of the comparison panel', () => {
  for (const theme of ['light-modern', 'dark-modern', 'hc-black', 'hc-light'] as ThemeName[]) {
    test(`every status text reaches 4.5:1 in ${theme}`, async () => {
      const wv = await openWebview({ css: CSS, theme });
      try {
        await wv.waitForPosted((m) => m.type === 'ready');
        await wv.send({ type: 'showComparison', comparison: comparison() });
        await wv.waitForPosted((m) => m.type === 'rendered');
        const found = await wv.page.evaluate<{ cls: string; text: string; ratio: number }[]>(CONTRAST_PROBE);
        assert.ok(found.length >= 15, `probed ${found.length} texts`);
        for (const cls of ['met found', 'met proven', 'unmet', 'undecided', 'ok', 'bad', 'scope', 'shown differs'])
          assert.ok(
            found.some((f) => f.cls.split(' ').includes(cls.split(' ').pop()!)),
            `no ${cls} text probed`,
          );
        const low = found.filter((f) => f.ratio < 4.5);
        assert.deepEqual(low, [], `${theme}: below 4.5:1`);
      } finally {
        await wv.close();
      }
    });
  }

  test('found-as-expected and proven-absent differ; cancelled is said; the banner names its step once; long schedules stay in the card', async () => {
    const wv = await openWebview({ css: CSS, theme: 'light-modern', viewport: { width: 900, height: 800 } });
    try {
      await wv.waitForPosted((m) => m.type === 'ready');
      await wv.send({ type: 'showComparison', comparison: comparison() });
      await wv.waitForPosted((m) => m.type === 'rendered');
      const q = (s: string) => wv.page.locator(s);
      const found = q('.run-card[data-run="0"] li.met.found');
      const proven = q('.run-card[data-run="1"] li.met');
      assert.match(await found.innerText(), /race found as expected/);
      assert.match(await proven.innerText(), /proven absent/);
      const colour = (e: unknown) =>
        (globalThis as unknown as { getComputedStyle(x: unknown): { color: string } }).getComputedStyle(e).color;
      assert.notEqual(await found.evaluate(colour), await proven.evaluate(colour));
      assert.notEqual(await found.locator('.codicon').getAttribute('class'), await proven.locator('.codicon').getAttribute('class'));
      assert.match(await q('.run-card[data-run="2"] li.undecided').innerText(), /undecided/);
      assert.match(await q('.banner.partial').innerText(), /Cancelled: 3 of 4 columns ran \(truncate-seq did not\)/);
      const banner = await q('.banner.divergence').innerText();
      assert.equal(banner.match(/step 4/g)?.length, 1, banner);
      // nothing sticks out of a card
      const overflow = await q('.run-card').evaluateAll((cards) =>
        cards.map((c) => {
          const e = c as unknown as { scrollWidth: number; clientWidth: number };
          return e.scrollWidth - e.clientWidth;
        }),
      );
      assert.deepEqual(
        overflow.filter((d) => d > 1),
        [],
      );
    } finally {
      await wv.close();
    }
  });
});
