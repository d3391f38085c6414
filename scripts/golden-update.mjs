// npm run golden:update: rewrites test/golden/ from the current outputs (the golden test with
// MMX_GOLDEN_UPDATE=1), then shows what changed; review it with `git diff test/golden`.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const vitest = join(root, 'node_modules', '.bin', 'vitest');
const run = spawnSync(vitest, ['run', 'test/unit/golden.test.ts', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, MMX_GOLDEN_UPDATE: '1' },
});
if (run.status !== 0) process.exit(run.status ?? 1);
spawnSync('git', ['status', '--short', '--', 'test/golden'], { cwd: root, stdio: 'inherit' });
