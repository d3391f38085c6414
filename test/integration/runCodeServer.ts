// Outer runner for the integration suites: starts code-server (the real VS Code server + web workbench,
// installed by scripts/install-test-host.sh) on a free loopback port, opens its workbench in headless
// Chromium with this repository as the extension under development and out/test/integration/index.js
// as the tests module, and waits for the workbench's automation exit hook. Exit code 0 only when
// every suite passed.
//
// Two passes: the suites in a trusted workspace, then the 'Restricted Mode' suite in a workspace VS Code
// does not trust (workspace trust on, no startup prompt: the folder stays in Restricted Mode).
//
// env: MMX_TEST_TIMEOUT_MS (default 600000), MMX_TEST_GREP (mocha grep), CHROMIUM (default /usr/bin/chromium)
// Writes .test-output/integration.json ({passed, failed, pending, vscode}) and keeps the logs of the
// last run in .test-output/integration-logs/ and the suites' screenshots in .test-output/screenshots/
// (`npm run screenshots` copies them into media/screenshots/; a test run leaves the tree as it was).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as util from 'node:util';

import { type Browser, type Page } from 'playwright-core';

import { chromiumPath, launchChromium } from '../chromium';

import { makeFixtureWorkspace } from './fixtureWorkspace';
import { repoRoot } from './paths';
import { parseSummary } from './summary';

const hostDir = path.join(repoRoot, '.vscode-test-host');
const outDir = path.join(repoRoot, '.test-output');
const logsDir = path.join(outDir, 'integration-logs');
const shotsDir = path.join(outDir, 'screenshots');
const testsModule = path.join(repoRoot, 'out', 'test', 'integration', 'index');
const timeoutMs = Number(process.env.MMX_TEST_TIMEOUT_MS ?? 600000);
const t0 = Date.now();

const say = (msg: string): void => console.log(`[runner] ${msg}`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function healthy(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(1000, () => req.destroy());
  });
}

/** Serves the suites' screenshot requests (see screenshot.ts) until stopped. */
function serveScreenshots(page: Page, requests: string): { stop: () => Promise<void>; taken: string[] } {
  const taken: string[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      for (const f of fs
        .readdirSync(requests)
        .filter((n) => n.endsWith('.request'))
        .sort()) {
        const name = f.slice(0, -'.request'.length);
        // let the workbench paint whatever the suite just did
        await sleep(400);
        const file = path.join(shotsDir, `${name}.png`);
        try {
          await page.screenshot({ path: file });
          taken.push(path.relative(repoRoot, file));
        } catch (e) {
          say(`screenshot '${name}' failed: ${e instanceof Error ? e.message : String(e)}`);
        }
        fs.renameSync(path.join(requests, f), path.join(requests, `${name}.done`));
      }
      await sleep(150);
    }
  })();
  return {
    taken,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

/** the suite the untrusted pass runs (its tests skip themselves in a trusted workspace) */
const RESTRICTED_SUITE = 'Restricted Mode';

interface PassResult {
  code: number | 'timeout';
  summary: ReturnType<typeof parseSummary>;
  vscodeLine: string;
}

async function main(): Promise<number> {
  const entryFile = path.join(hostDir, 'code-server-entry');
  if (!fs.existsSync(entryFile)) {
    say(`no test host in ${hostDir}: run scripts/install-test-host.sh (npm run test:integration does)`);
    return 2;
  }
  if (!fs.existsSync(testsModule + '.js')) {
    say(`${testsModule}.js missing: build the tests first (node esbuild.config.mjs --tests)`);
    return 2;
  }
  const entry = fs.readFileSync(entryFile, 'utf8').trim();
  const { path: executablePath, missing } = chromiumPath();
  if (missing) {
    say(missing);
    return 2;
  }

  // only this run's pictures, so that `npm run screenshots` never copies stale ones
  fs.rmSync(shotsDir, { recursive: true, force: true });
  fs.mkdirSync(shotsDir, { recursive: true });
  fs.rmSync(logsDir, { recursive: true, force: true });
  fs.mkdirSync(logsDir, { recursive: true });

  const grep = process.env.MMX_TEST_GREP;
  const passes: PassResult[] = [await runPass(entry, executablePath, { trusted: true, grep, logs: logsDir })];
  // the untrusted pass: always, or when the grep names (part of) the suite, e.g. MMX_TEST_GREP='Restricted Mode'
  if (!grep || RESTRICTED_SUITE.includes(grep))
    passes.push(await runPass(entry, executablePath, { trusted: false, grep: RESTRICTED_SUITE, logs: path.join(logsDir, 'untrusted') }));
  const sum = (k: 'passed' | 'failed' | 'pending') => passes.reduce((n, p) => n + (p.summary?.[k] ?? 0), 0);
  const result = {
    passed: sum('passed'),
    // no summary means the tests module never finished: count that as a failure
    failed: sum('failed') + passes.filter((p) => !p.summary).length,
    pending: sum('pending'),
    vscode: passes[0].vscodeLine,
    exitCode: passes.find((p) => p.code !== 0)?.code ?? 0,
  };
  fs.writeFileSync(path.join(outDir, 'integration.json'), JSON.stringify(result, null, 2) + '\n');
  if (passes.length > 1) say(`both passes: ${result.passed} passed, ${result.failed} failed, ${result.pending} pending`);
  return passes.every((p) => p.code === 0 && p.summary !== undefined && p.summary.failed === 0) ? 0 : 1;
}

/** One code-server and workbench: the suites matching `grep`, in a trusted or an untrusted workspace. */
async function runPass(
  entry: string,
  executablePath: string,
  opts: { trusted: boolean; grep?: string; logs: string },
): Promise<PassResult> {
  const logsDir = opts.logs;
  fs.mkdirSync(logsDir, { recursive: true });
  if (!opts.trusted) say(`untrusted workspace (Restricted Mode): the '${RESTRICTED_SUITE}' suite`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mmx-it-'));
  const requests = path.join(tmp, 'screenshot-requests');
  const workspace = path.join(tmp, 'workspace');
  fs.mkdirSync(requests);
  makeFixtureWorkspace(repoRoot, workspace);

  // a quiet workbench: no welcome walkthrough over the editors the suites open
  const userSettings = path.join(tmp, 'user-data', 'User', 'settings.json');
  fs.mkdirSync(path.dirname(userSettings), { recursive: true });
  fs.writeFileSync(
    userSettings,
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'telemetry.telemetryLevel': 'off',
      // untrusted pass: nobody answers the trust prompt, the folder opens in Restricted Mode
      ...(opts.trusted ? {} : { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' }),
    }),
  );

  const testOutput = path.join(tmp, 'test-output.log');
  fs.writeFileSync(testOutput, '');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: tmp,
    XDG_CONFIG_HOME: path.join(tmp, 'config'),
    XDG_DATA_HOME: path.join(tmp, 'data'),
    XDG_CACHE_HOME: path.join(tmp, 'cache'),
    MMX_TEST_OUTPUT: testOutput,
    MMX_SCREENSHOT_REQUESTS: requests,
    MMX_TEST_GREP: opts.grep ?? '',
  };

  const versionOut = execFileSync(process.execPath, [entry, '--version'], { env, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  const version = versionOut.split('\n').find((l) => /^\d/.test(l)) ?? versionOut.trim();
  say(`code-server ${version}`);

  const port = await freePort();
  const authority = `127.0.0.1:${port}`;
  const serverLog = fs.openSync(path.join(logsDir, 'code-server.log'), 'w');
  const server: ChildProcess = spawn(
    process.execPath,
    [
      entry,
      '--auth',
      'none',
      '--bind-addr',
      authority,
      '--user-data-dir',
      path.join(tmp, 'user-data'),
      '--extensions-dir',
      path.join(tmp, 'extensions'),
      '--disable-telemetry',
      '--disable-update-check',
      ...(opts.trusted ? ['--disable-workspace-trust'] : []),
      '--disable-getting-started-override',
    ],
    // its own process group, so the extension hosts it forks die with it
    { env, detached: true, stdio: ['ignore', serverLog, serverLog] },
  );
  let browser: Browser | undefined;
  const killServer = (): void => {
    if (server.pid === undefined) return;
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  process.on('exit', killServer);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

  try {
    let up = false;
    for (let i = 0; i < 120 && !up; i++) {
      up = await healthy(`http://${authority}/healthz`);
      if (!up) await sleep(250);
    }
    if (!up) {
      say(`code-server did not answer on ${authority}; see ${logsDir}/code-server.log`);
      return { code: 2, summary: undefined, vscodeLine: `code-server ${version}` };
    }
    say(`code-server up on ${authority} after ${Date.now() - t0} ms`);

    browser = await launchChromium(executablePath, env);
    const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
    let settle: (code: number) => void = () => {};
    const exited = new Promise<number>((r) => (settle = r));
    // the workbench calls this when the tests module's run() settles (0 = resolved)
    await page.exposeFunction('codeAutomationExit', (code: number) => settle(code));
    const consoleLog = path.join(logsDir, 'browser-console.log');
    page.on('console', (m) => fs.appendFileSync(consoleLog, `[${m.type()}] ${m.text()}\n`));
    page.on('pageerror', (e) => fs.appendFileSync(consoleLog, `[pageerror] ${e.message}\n`));

    const payload = [
      ['extensionDevelopmentPath', `vscode-remote://${authority}${repoRoot}`],
      ['extensionTestsPath', `vscode-remote://${authority}${testsModule}`],
    ];
    const url = `http://${authority}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await page.goto(url);
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    say(`workbench loaded after ${Date.now() - t0} ms`);

    // stream the suites' output as it is written
    let printed = 0;
    const pump = (): void => {
      const b = fs.readFileSync(testOutput);
      if (b.length > printed) {
        process.stdout.write(b.subarray(printed));
        printed = b.length;
      }
    };
    const pumpTimer = setInterval(pump, 200);
    const shots = serveScreenshots(page, requests);

    const code = await Promise.race([exited, sleep(timeoutMs).then(() => 'timeout' as const)]);
    await shots.stop();
    clearInterval(pumpTimer);
    pump();
    await page.screenshot({ path: path.join(logsDir, 'workbench-final.png') }).catch(() => undefined);

    const output = fs.readFileSync(testOutput, 'utf8');
    const summary = parseSummary(output);
    const vscodeLine = /^\[mmx-integration\] (VS Code .*)$/m.exec(output)?.[1] ?? `code-server ${version}`;
    if (shots.taken.length > 0) say(`screenshots: ${shots.taken.join(', ')}`);
    if (code === 'timeout') say(`timed out after ${timeoutMs} ms`);
    else say(`extension host finished with code ${code} after ${Date.now() - t0} ms`);
    say(`ran in ${vscodeLine}`);
    if (!summary) say(`no test summary from the extension host; logs in ${path.relative(repoRoot, logsDir)}/`);
    return { code, summary, vscodeLine };
  } finally {
    await browser?.close().catch(() => undefined);
    killServer();
    process.off('exit', killServer);
    await sleep(300);
    if (server.pid !== undefined) {
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {
        // the group exited on SIGTERM
      }
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`[runner] ${e instanceof Error ? (e.stack ?? e.message) : util.inspect(e)}`);
    process.exit(2);
  },
);
