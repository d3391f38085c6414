// Smoke tests of the webview harness and the bundle: it loads under the strict CSP, renders, and
// announces itself to the extension; the harness sees violations and delivers messages.
import * as assert from 'node:assert/strict';

import { suite, test } from 'mocha';

import { openWebview } from './harness';

suite('webview foundation', () => {
  test('the bundle renders into #root and posts ready under the strict CSP', async () => {
    const wv = await openWebview();
    try {
      await wv.waitForPosted((m) => m.type === 'ready');
      assert.equal((await wv.posted())[0]?.type, 'ready', 'the first message the page posts is ready');
      const text = await wv.page.locator('#root').innerText();
      assert.ok(text.trim().length > 0, 'nothing rendered into #root');
      assert.deepEqual(await wv.cspViolations(), []);
      assert.deepEqual(wv.errors, []);
    } finally {
      await wv.close();
    }
  });

  test('the harness reports an inline script the CSP blocks', async () => {
    const wv = await openWebview();
    try {
      await wv.waitForPosted((m) => m.type === 'ready');
      // what an unescaped patch line like <img onerror=...> would try; the CSP must stop it
      await wv.page.evaluate(() => {
        const g = globalThis as unknown as { document: { body: { insertAdjacentHTML(p: string, h: string): void } } };
        g.document.body.insertAdjacentHTML('beforeend', '<img src="x" onerror="window.__pwned = 1">');
      });
      await wv.page.waitForFunction(() => (globalThis as unknown as { __mmx: { violations: string[] } }).__mmx.violations.length > 0);
      const pwned = await wv.page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned);
      assert.equal(pwned, undefined, 'inline handler ran despite the CSP');
      assert.ok((await wv.cspViolations()).some((v) => v.startsWith('script-src')));
    } finally {
      await wv.close();
    }
  });

  test('messages sent as the extension would reach the page and malformed ones are ignored', async () => {
    const wv = await openWebview();
    try {
      await wv.waitForPosted((m) => m.type === 'ready');
      await wv.send({ type: 'no-such-message', payload: '<b>x</b>' });
      await wv.send({ type: 'version', version: '9.8.7-test' });
      await wv.page.getByText('9.8.7-test').first().waitFor({ timeout: 5000 });
      assert.deepEqual(wv.errors, []);
    } finally {
      await wv.close();
    }
  });
});
