// The workspace the suites open: a scratch copy of test/integration/workspace, so suites may edit files
// freely, plus the shared test fixtures (seed mails, corpus sources) and the extension's own samples
// placed where the suites expect them (each kept once in the repository, copied here at test time).
import * as fs from 'node:fs';
import * as path from 'node:path';

/** workspace path -> file in the repository */
const SHARED: Record<string, string> = {
  'patches/install_new_page-thread.txt': 'samples/install_new_page-thread.txt',
  'patches/put_user_page-placeholder.patch': 'test/fixtures/patch/seeds/003_c639fba1cd99ad68.txt',
  'drivers/video-buf.c': 'test/fixtures/patch/sources/video-buf.c',
  'drivers/ieee1394-dma.c': 'test/fixtures/c/ieee1394-dma.c',
  // the sample driver the extension ships (MM Explorer: Open Sample Driver)
  'drivers/demo_nopage.c': 'samples/demo_nopage.c',
};

export function makeFixtureWorkspace(repoRoot: string, dest: string): void {
  const own = path.join(repoRoot, 'test', 'integration', 'workspace');
  if (fs.existsSync(own)) fs.cpSync(own, dest, { recursive: true });
  else fs.mkdirSync(dest, { recursive: true });
  for (const [rel, fixture] of Object.entries(SHARED)) {
    const to = path.join(dest, rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, fixture), to);
  }
}
