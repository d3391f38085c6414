// Runs a TypeScript entry (the benchmarks) with Node: bundles it with esbuild into out/ (ESM, so
// top-level await works; `require`, `__dirname` and `__filename` are provided), then runs it,
// passing the remaining arguments through.
// usage: node scripts/run-ts.mjs [--node-flag=<flag>...] bench/engine.ts [args...]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// --node-flag=<flag> (before the entry, repeatable) is passed to the Node that runs it
const argv = process.argv.slice(2);
const nodeFlags = [];
while (argv[0]?.startsWith('--node-flag=')) nodeFlags.push(argv.shift().slice('--node-flag='.length));
const [entry, ...args] = argv;
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs [--node-flag=<flag>...] <file.ts> [args...]');
  process.exit(2);
}
const abs = join(root, entry);
if (!existsSync(abs)) {
  console.error(`[run-ts] ${entry} does not exist`);
  process.exit(2);
}
const outfile = join(root, 'out', relative(root, dirname(abs)), basename(abs).replace(/\.ts$/, '.mjs'));
try {
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: [abs],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
    banner: {
      js: [
        "import { createRequire as __mmxCreateRequire } from 'node:module';",
        "import { fileURLToPath as __mmxFileURLToPath } from 'node:url';",
        "import { dirname as __mmxDirname } from 'node:path';",
        'const require = __mmxCreateRequire(import.meta.url);',
        'const __filename = __mmxFileURLToPath(import.meta.url);',
        'const __dirname = __mmxDirname(__filename);',
      ].join('\n'),
    },
  });
} catch {
  // esbuild printed the errors with file:line:col
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--enable-source-maps', ...nodeFlags, outfile, ...args], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
