// Worker entry points bundled for tests in Node, as esbuild.config.mjs bundles them into dist/ (a worker
// thread loads a file, not a TypeScript module): into out/test-worker/, next to each other.
import { join } from 'node:path';

import * as esbuild from 'esbuild';

const root = join(__dirname, '../..');
export const WORKER_DIR = join(root, 'out/test-worker');

/** bundle src/<entry>.ts into out/test-worker/<name>.js; returns that path */
export async function bundleWorker(entry: string, name: string): Promise<string> {
  const outfile = join(WORKER_DIR, `${name}.js`);
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: [join(root, 'src', `${entry}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
  });
  return outfile;
}
