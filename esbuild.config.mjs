// Builds the product bundles into dist/ and, with --tests, the test bundles into out/.
//   node esbuild.config.mjs               development build (source maps, not minified)
//   node esbuild.config.mjs --production  minified, no source maps (what goes into the .vsix)
//   node esbuild.config.mjs --watch       rebuild on change (add --tests to also watch the tests)
//   node esbuild.config.mjs --tests       also build test/integration and test/webview into out/
import * as esbuild from 'esbuild';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const tests = args.has('--tests');

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  // watch mode reports each rebuild; one-shot builds only warnings and errors
  logLevel: watch ? 'info' : 'warning',
  absWorkingDir: root,
  define: { 'process.env.NODE_ENV': production ? '"production"' : '"development"' },
};

const importMetaShim = "var __importMetaUrl = require('url').pathToFileURL(__filename).href;";

/** The Node bundles are self-contained (only `vscode` comes from the host), so the .vsix ships no node_modules. */
const nodeCommon = {
  ...common,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // web-tree-sitter's ESM build refers to import.meta.url; the loaders pass explicit wasm paths instead
  logOverride: { 'empty-import-meta': 'silent' },
  // web-tree-sitter's ESM build calls createRequire(import.meta.url): give the CommonJS bundles a real one
  define: { ...common.define, 'import.meta.url': '__importMetaUrl' },
  banner: { js: importMetaShim },
};

/** Files under `dir` (relative to the repository) whose names match `re`. */
function filesUnder(dir, re) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  const out = [];
  for (const name of readdirSync(abs)) {
    const p = join(abs, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'fixtures') out.push(...filesUnder(relative(root, p), re));
    } else if (re.test(name) && !name.endsWith('.d.ts')) {
      out.push(relative(root, p));
    }
  }
  return out;
}

/** Runtime files the bundles load: web-tree-sitter's runtime and the C grammar (wasm), the icon font. */
function copyAssets() {
  mkdirSync(join(root, 'dist'), { recursive: true });
  const files = [
    require.resolve('web-tree-sitter/tree-sitter.wasm'),
    join(dirname(require.resolve('tree-sitter-c/package.json')), 'tree-sitter-c.wasm'),
  ];
  for (const f of files) copyFileSync(f, join(root, 'dist', f.split('/').pop()));
  // the webview's icon font: the .vsix ships no node_modules, so it goes next to the bundles
  const codicons = dirname(require.resolve('@vscode/codicons/dist/codicon.css'));
  mkdirSync(join(root, 'dist', 'codicons'), { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(join(codicons, f), join(root, 'dist', 'codicons', f));
}

const copyAssetsPlugin = { name: 'copy-assets', setup: (b) => b.onEnd(() => copyAssets()) };
const executablePlugin = {
  name: 'executable',
  setup: (b) =>
    b.onEnd((r) => {
      const f = join(root, 'dist/mmx.js');
      if (r.errors.length === 0 && existsSync(f)) chmodSync(f, 0o755);
    }),
};

const builds = [
  {
    ...nodeCommon,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode'],
    plugins: [copyAssetsPlugin],
  },
  {
    ...common,
    entryPoints: ['src/webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
  },
  {
    // the scenario checker the extension runs in a worker thread
    ...nodeCommon,
    entryPoints: ['src/scenario/validationWorker.ts'],
    outfile: 'dist/scenarioValidator.js',
  },
  {
    ...nodeCommon,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/mmx.js',
    banner: { js: `#!/usr/bin/env node\n${importMetaShim}` },
    plugins: [executablePlugin],
  },
  {
    // the extension's comparisons and explorations, off the extension host's thread
    ...nodeCommon,
    entryPoints: ['src/scenario/scenarioRunWorker.ts'],
    outfile: 'dist/scenarioRunWorker.js',
  },
  {
    // Run This Patch's child process and the parse of its JSON report, off the extension host's thread
    ...nodeCommon,
    entryPoints: ['src/extension/runPatchWorker.ts'],
    outfile: 'dist/runPatchWorker.js',
  },
  {
    // the analysis of a patch opened in the editor, off the extension host's thread
    ...nodeCommon,
    entryPoints: ['src/extension/patchAnalysisWorker.ts'],
    outfile: 'dist/patchAnalysisWorker.js',
  },
  {
    // the page-table view's replays of a selected step, off the extension host's thread
    ...nodeCommon,
    entryPoints: ['src/extension/replayWorker.ts'],
    outfile: 'dist/replayWorker.js',
  },
  {
    // the worker threads of `mmx explore --jobs N` and of the extension's explorations
    ...nodeCommon,
    entryPoints: ['src/scenario/exploreWorker.ts'],
    outfile: 'dist/exploreWorker.js',
  },
];

if (tests) {
  const integration = filesUnder('test/integration', /\.ts$/);
  if (integration.length > 0) {
    builds.push({
      ...nodeCommon,
      sourcemap: 'inline',
      minify: false,
      entryPoints: integration,
      outbase: '.',
      outdir: 'out',
      // resolved at run time: vscode from the extension host, the rest from node_modules
      external: ['vscode', 'mocha', 'playwright-core', '@vscode/test-electron'],
    });
  }
  const webview = filesUnder('test/webview', /\.ts$/).filter((f) => !f.startsWith('test/webview/fixtures/'));
  if (webview.length > 0) {
    builds.push({
      ...nodeCommon,
      sourcemap: 'inline',
      minify: false,
      entryPoints: webview,
      outbase: '.',
      outdir: 'out',
      external: ['mocha', 'playwright-core'],
    });
  }
}

if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log(`[esbuild] watching ${builds.length} bundles (Ctrl+C to stop)`);
} else {
  const t0 = Date.now();
  const results = await Promise.allSettled(builds.map((b) => esbuild.build(b)));
  const failed = results.filter((r) => r.status === 'rejected');
  if (failed.length > 0) {
    // esbuild already printed its own errors with file:line:col; show anything else (e.g. a plugin's)
    for (const f of failed) if (!f.reason?.errors?.length) console.error(f.reason);
    console.error(`[esbuild] ${failed.length} of ${builds.length} bundles failed`);
    process.exit(1);
  }
  console.log(`[esbuild] ${builds.length} bundles built${production ? ' (production)' : ''} in ${Date.now() - t0} ms`);
}
