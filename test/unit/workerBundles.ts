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
    // as esbuild.config.mjs: web-tree-sitter's ESM build needs import.meta.url in a CommonJS bundle
    logOverride: { 'empty-import-meta': 'silent' },
    define: { 'import.meta.url': '__importMetaUrl' },
    banner: { js: "var __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  });
  return outfile;
}
