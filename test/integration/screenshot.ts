// Screenshots of the workbench from inside a suite.
//
// The suites run in the extension host, which has no handle on the browser; the outer runner
// (runCodeServer) owns the Playwright page that shows the workbench. A suite asks for a picture by
// writing `<name>.request` into the folder named by MMX_SCREENSHOT_REQUESTS; the runner polls that
// folder, saves .test-output/screenshots/<name>.png (`npm run screenshots` copies them into
// media/screenshots/) and renames the request to `<name>.done`, which
// `screenshot()` waits for. Under a launcher without a page (@vscode/test-electron) the variable is
// unset and `screenshot()` resolves to false at once, so suites need not care which host runs them.
import * as fs from 'node:fs';
import * as path from 'node:path';

const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

export async function screenshot(name: string, opts: { timeoutMs?: number } = {}): Promise<boolean> {
  if (!NAME.test(name)) throw new Error(`screenshot name '${name}' must match ${NAME}`);
  const dir = process.env.MMX_SCREENSHOT_REQUESTS;
  if (!dir) return false;
  const request = path.join(dir, `${name}.request`);
  const done = path.join(dir, `${name}.done`);
  fs.rmSync(done, { force: true });
  fs.writeFileSync(request, JSON.stringify({ name, at: Date.now() }));
  const deadline = Date.now() + (opts.timeoutMs ?? 20000);
  while (Date.now() < deadline) {
    if (fs.existsSync(done)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  fs.rmSync(request, { force: true });
  return false;
}
