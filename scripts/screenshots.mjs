// npm run screenshots: the only way media/screenshots/ (the README's pictures) changes. Runs the
// integration suites (their screenshots land in .test-output/screenshots/), then copies the pictures
// into media/screenshots/ and lists what changed for review in git.
//   --no-run   copy the pictures of the last integration run without running the suites again
// MMX_TEST_GREP selects suites as for npm run test:integration.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, '.test-output', 'screenshots');
const to = join(root, 'media', 'screenshots');
const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--no-run');
if (unknown.length) {
  console.error(`[screenshots] unknown argument '${unknown[0]}' (usage: npm run screenshots [-- --no-run])`);
  process.exit(2);
}

if (!args.includes('--no-run')) {
  const rc = spawnSync(process.execPath, ['scripts/run-integration.mjs'], { cwd: root, stdio: 'inherit' }).status ?? 1;
  // pictures of a failing run may show the failure, not the feature: keep the committed ones
  if (rc !== 0) {
    console.error('[screenshots] the integration suites failed; media/screenshots/ is unchanged');
    process.exit(rc);
  }
}
const shots = existsSync(from) ? readdirSync(from).filter((f) => /^[a-z0-9][a-z0-9-]*\.png$/.test(f)) : [];
if (shots.length === 0) {
  console.error(`[screenshots] no pictures in ${from}: run the integration suites (npm run screenshots without --no-run)`);
  process.exit(1);
}
mkdirSync(to, { recursive: true });
for (const f of shots.sort()) copyFileSync(join(from, f), join(to, f));
console.log(`[screenshots] copied ${shots.length} picture(s) into media/screenshots/: ${shots.join(', ')}`);
spawnSync('git', ['status', '--short', '--', 'media/screenshots'], { cwd: root, stdio: 'inherit' });
