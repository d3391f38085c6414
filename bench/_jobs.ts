import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createMachine } from '../src/engine/index';
import { faultersAndTruncate } from './ladder';
import { explore, exploreAsync } from '../src/scenario/explorer';
const workerScript = join(process.cwd(), 'out/exploreWorker.js');
spawnSync(join(process.cwd(), 'node_modules/.bin/esbuild'), ['src/scenario/exploreWorker.ts', '--bundle', '--platform=node', '--format=cjs', '--log-level=error', `--outfile=${workerScript}`], { stdio: 'inherit' });
const n = +(process.argv[2] ?? 2);
for (const fault of ['2.5.70', 'truncate-seq']) {
  const w = faultersAndTruncate(n);
  const make = () => createMachine(w, { fault });
  const recipe = { world: w, selection: { fault } };
  const plain = explore(make, { shrink: false, timeLimitMs: 120000 });
  const one = await exploreAsync(make, { jobs: 1, recipe, workerScript, shrink: false, timeLimitMs: 120000 });
  const two = await exploreAsync(make, { jobs: 2, recipe, workerScript, shrink: false, timeLimitMs: 120000 });
  console.log(n, fault, 'plain', plain.schedules, plain.timeMs.toFixed(0), '| jobs1', one.schedules, one.timeMs.toFixed(0), '| jobs2', two.schedules, two.timeMs.toFixed(0), 'speedup', (one.timeMs / two.timeMs).toFixed(2), one.complete, two.complete);
}
