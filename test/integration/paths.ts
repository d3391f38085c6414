// Paths suites need: the repository (for scenarios/, test fixtures) resolved from the compiled suite's
// location out/test/integration/..., so it works under every launcher.
import * as fs from 'node:fs';
import * as path from 'node:path';

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'esbuild.config.mjs'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`repository root not found above ${start}`);
    dir = up;
  }
}

export const repoRoot = findRoot(__dirname);
export const repoPath = (...parts: string[]): string => path.join(repoRoot, ...parts);
