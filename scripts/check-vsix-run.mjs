// Part of scripts/check-vsix.sh: starts code-server with the extensions dir the .vsix was installed
// into (no development path), runs the command from the command palette and waits for its message.
// usage: node scripts/check-vsix-run.mjs <code-server entry> <scratch dir with ext/ and ud/> <version>
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [entry, tmp, version] = process.argv.slice(2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const port = await new Promise((r) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => r(p));
  });
});
const healthy = () =>
  new Promise((r) =>
    get(`http://127.0.0.1:${port}/healthz`, (res) => (res.resume(), r(res.statusCode === 200))).on('error', () => r(false)),
  );

const ws = join(tmp, 'workspace');
mkdirSync(ws, { recursive: true });
mkdirSync(join(tmp, 'ud', 'User'), { recursive: true });
writeFileSync(join(tmp, 'ud', 'User', 'settings.json'), JSON.stringify({ 'workbench.startupEditor': 'none' }));
const log = openSync(join(tmp, 'code-server.log'), 'w');
const server = spawn(
  process.execPath,
  [
    entry,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--user-data-dir',
    join(tmp, 'ud'),
    '--extensions-dir',
    join(tmp, 'ext'),
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
  ],
  { detached: true, stdio: ['ignore', log, log] },
);
const kill = () => {
  try {
    process.kill(-server.pid, 'SIGKILL');
  } catch {
    // gone already
  }
};
process.on('exit', kill);

let browser;
let ok = false;
try {
  for (let i = 0; i < 120 && !(await healthy()); i++) await sleep(250);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
  // the palette can open before the extension host has read the contributions: retry a few times
  for (let attempt = 0; attempt < 5 && !ok; attempt++) {
    await sleep(1500);
    await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } });
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 10000 });
    await input.fill('>MM Explorer: Show Engine Version');
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Show Engine Version' }).first();
    if (!(await row.isVisible().catch(() => false))) await sleep(1000);
    if (!(await row.isVisible().catch(() => false))) {
      await page.keyboard.press('Escape');
      continue;
    }
    await row.click();
    ok = await page
      .locator('.notifications-toasts', { hasText: `engine ${version}` })
      .waitFor({ timeout: 15000 })
      .then(
        () => true,
        () => false,
      );
  }
  await page.screenshot({ path: join(tmp, 'check-vsix.png') });
  console.log(
    ok
      ? `[check-vsix] the installed extension ran its command: "engine ${version}" shown`
      : '[check-vsix] the command did not run or showed no message',
  );
} catch (e) {
  console.error(`[check-vsix] ${e instanceof Error ? e.message : String(e)}`);
} finally {
  await browser?.close().catch(() => undefined);
  kill();
}
process.exit(ok ? 0 : 1);
