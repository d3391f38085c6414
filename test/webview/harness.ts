// What webview tests use: `openWebview()` gives a fresh Chromium page showing the built webview bundle
// in the harness page of server.ts, plus helpers to read what it posted and to send it messages as
// the extension would. The runner (run.ts) starts the server and the browser once for all files.
//
//   import { suite, test } from 'mocha';
//   import { openWebview } from './harness';
//   suite('panel', () => {
//     test('announces itself', async () => {
//       const wv = await openWebview();
//       await wv.waitForPosted((m) => m.type === 'ready');
//       await wv.send({ type: 'version', version: '1.2.3' });
//       await wv.close();
//     });
//   });
import type { Browser, Page } from 'playwright-core';
import type { ThemeName } from './themes';

export interface WebviewContext {
  browser: Browser;
  baseUrl: string;
}

const KEY = '__mmxWebviewContext';

/** Set by the runner; each test file is bundled on its own, so the context lives on globalThis. */
export function setContext(ctx: WebviewContext): void {
  (globalThis as Record<string, unknown>)[KEY] = ctx;
}

function context(): WebviewContext {
  const ctx = (globalThis as Record<string, unknown>)[KEY] as WebviewContext | undefined;
  if (!ctx) throw new Error('webview test context missing: run the tests with npm run test:webview');
  return ctx;
}

export type Posted = { type?: unknown } & Record<string, unknown>;

/** What the harness page's stub puts on window (see server.ts). */
interface PageGlobals {
  __mmx: { posted: Posted[]; violations: string[]; state: unknown };
  postMessage(message: unknown, targetOrigin: string): void;
}

export interface WebviewPage {
  page: Page;
  /** Uncaught exceptions and console errors of the page so far. */
  errors: string[];
  /** Every message the page posted through acquireVsCodeApi().postMessage, oldest first. */
  posted(): Promise<Posted[]>;
  /** The first posted message matching `pred`, waiting up to `timeoutMs`. */
  waitForPosted(pred: (m: Posted) => boolean, timeoutMs?: number): Promise<Posted>;
  /** Deliver a message to the page the way the extension's webview.postMessage does. */
  send(message: unknown): Promise<void>;
  /** CSP violations reported in the page. */
  cspViolations(): Promise<string[]>;
  /** What the page last stored with setState. */
  state(): Promise<unknown>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Returned by getState() before the page sets its own. */
  state?: unknown;
  /** Extra stylesheets, paths relative to the repository's served folders (e.g. 'dist/webview.css'). */
  css?: string[];
  theme?: 'light' | 'dark' | ThemeName;
  viewport?: { width: number; height: number };
}

export async function openWebview(opts: OpenOptions = {}): Promise<WebviewPage> {
  const { browser, baseUrl } = context();
  const page = await browser.newPage({ viewport: opts.viewport ?? { width: 1200, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    // failed loads are reported with their URL below
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()} ${r.url()}`);
  });
  const q = new URLSearchParams();
  if (opts.state !== undefined) q.set('state', JSON.stringify(opts.state));
  for (const c of opts.css ?? []) q.append('css', c);
  q.set('theme', opts.theme ?? 'light');
  await page.goto(`${baseUrl}/?${q.toString()}`);
  // page.evaluate callbacks run in the page; this file is type-checked without the DOM library
  const posted = (): Promise<Posted[]> => page.evaluate(() => (globalThis as unknown as PageGlobals).__mmx.posted);
  return {
    page,
    errors,
    posted,
    async waitForPosted(pred, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = (await posted()).find(pred);
        if (hit) return hit;
        if (Date.now() > deadline) {
          throw new Error(`no matching message posted within ${timeoutMs} ms; posted: ${JSON.stringify(await posted())}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    send: async (message) => {
      await page.evaluate((m) => (globalThis as unknown as PageGlobals).postMessage(m, '*'), message);
    },
    cspViolations: () => page.evaluate(() => (globalThis as unknown as PageGlobals).__mmx.violations),
    state: () => page.evaluate(() => (globalThis as unknown as PageGlobals).__mmx.state),
    close: () => page.close(),
  };
}
