// --jobs against --jobs on the ladder worlds, alternating runs in one session: wall and CPU time
// (worker threads included), the CPU of the busiest threads (the workers' JavaScript) and of the rest
// (V8's garbage-collection helpers mostly), and whether the results are identical apart from times.
// On a machine shared with other sessions the kernel gives each session its share of the CPU whatever
// its number of threads (autogroup): wall time then hardly shows what a second worker brings. 'quiet'
// is what the threads' CPU allows on an idle machine: the busiest thread, or all the CPU over the cores.
// usage: npm run bench:jobs -- [--n 2,3] [--repeat 2] [--modes 1,2]
// (a mode is a number of workers, or 'here': the same jobs on this thread)
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

import { createMachine } from '../src/engine/index';
import { exploreAsync } from '../src/scenario/explorer';

import { faultersAndTruncate } from './ladder';
import { cpuMs, median } from './measure';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}
const ns = arg('n', '2,3').split(',').map(Number);
const repeat = Number(arg('repeat', '2'));
const modes = arg('modes', '1,2').split(',');

/** CPU ms of each thread of this process (Linux), by thread id; sampled, since a worker's threads go with it */
const threads = new Map<string, number>();
function sampleThreads(): void {
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const st = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      threads.set(tid, ((Number(f[11]) + Number(f[12])) * 1000) / 100);
    }
  } catch {
    // not Linux: no per-thread figures
  }
}

const workerScript = join(process.cwd(), 'out/exploreWorker.js');
const built = spawnSync(
  join(process.cwd(), 'node_modules/.bin/esbuild'),
  ['src/scenario/exploreWorker.ts', '--bundle', '--platform=node', '--format=cjs', '--log-level=error', `--outfile=${workerScript}`],
  { stdio: 'inherit' },
);
if (built.status !== 0) process.exit(1);
const strip = (x: object) =>
  JSON.stringify(x, (k, v: unknown) => (['timeMs', 'firstViolationMs', 'foundAfterMs'].includes(k) ? undefined : v));
const f = (xs: number[]) => xs.map((x) => x.toFixed(0)).join('/');

for (const n of ns) {
  for (const variant of ['2.5.70', 'truncate-seq']) {
    const w = faultersAndTruncate(n);
    const make = () => createMachine(w, { fault: variant });
    const recipe = { world: w, selection: { fault: variant } };
    const wall: Record<string, number[]> = {};
    const cpu: Record<string, number[]> = {};
    const busy: Record<string, string[]> = {};
    const quiet: Record<string, number[]> = {};
    const out: Record<string, string> = {};
    let steps = 0;
    for (let r = 0; r < repeat; r++) {
      for (const mode of modes) {
        threads.clear();
        sampleThreads();
        const before = new Map(threads);
        const timer = setInterval(sampleThreads, 50);
        const c0 = cpuMs();
        const t0 = performance.now();
        const res = await exploreAsync(
          make,
          mode === 'here' ? { jobs: 1, shrink: false } : { jobs: Number(mode), recipe, workerScript, shrink: false },
        );
        (wall[mode] ??= []).push(performance.now() - t0);
        (cpu[mode] ??= []).push(cpuMs() - c0);
        clearInterval(timer);
        sampleThreads();
        const delta = (tid: string) => (threads.get(tid) ?? 0) - (before.get(tid) ?? 0);
        const main = delta(String(process.pid));
        const used = [...threads.keys()]
          .filter((t) => t !== String(process.pid))
          .map(delta)
          .sort((a, b) => b - a);
        const top = mode === 'here' ? 0 : Number(mode);
        const rest = used.slice(top).reduce((a, x) => a + x, 0);
        (busy[mode] ??= []).push(`${top ? `workers ${f(used.slice(0, top))} ` : ''}main ${main.toFixed(0)} rest ${rest.toFixed(0)}`);
        // on a quiet machine: the busiest thread, or all the CPU spread over the cores
        const all = main + used.reduce((a, x) => a + x, 0);
        if (all > 0) (quiet[mode] ??= []).push(Math.max(main, used[0] ?? 0, all / cpus().length));
        out[mode] = strip(res);
        steps = res.steps;
      }
    }
    const same = modes.every((m) => out[m] === out[modes[0]]);
    const [a, b] = modes;
    const ratio = (x: Record<string, number[]>) => (b && x[a] && x[b] ? (median(x[a]) / median(x[b])).toFixed(2) : '-');
    console.log(`N=${n} ${variant} (${steps} steps): ${same ? 'identical results' : 'DIFFERENT RESULTS'}`);
    for (const m of modes)
      console.log(
        `  jobs ${m}: wall ${f(wall[m])} ms, cpu ${f(cpu[m])} ms; threads (cpu ms) ${busy[m].join(' | ')}; quiet ${f(quiet[m] ?? [])} ms`,
      );
    if (b) console.log(`  jobs ${a} / jobs ${b}: x${ratio(wall)} wall, x${ratio(quiet)} quiet, cpu x${ratio(cpu)}`);
  }
}
