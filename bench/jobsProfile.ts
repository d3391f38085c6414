// Where the time of a split search (--jobs) goes: the planning passes (one search of the top of the
// tree per split depth tried), the size of each job (steps and CPU, run here one after the other), and
// what that allows on two workers (the jobs handed out in order to whichever is free, timed as here).
// usage: npm run bench:jobs-profile -- [--n 2,3] [--depth 0|d,...]
// (--depth 0: the planner's own choice, the first depth with SPLIT_JOBS jobs)
import { createMachine } from '../src/engine/index';
import { DporSearch, type DporHost, type DporJob } from '../src/scenario/dpor';
import { explore, runDporJob, type MachineFactory } from '../src/scenario/explorer';

import { faultersAndTruncate } from './ladder';
import { cpuMs } from './measure';

/** the planner's rule (explorer.ts planJobs) */
const SPLIT_JOBS = 16;

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}

/** a host that counts and nothing else (what the planner's search needs) */
function host(make: MachineFactory): DporHost {
  return {
    make,
    maxSteps: 1000,
    hashes: new Set<string>(),
    schedules: 0,
    steps: 0,
    pruned: 0,
    revisits: 0,
    complete: true,
    stepBounded: false,
    collect: (m) => m.violations.length,
    poll: () => false,
    sliceDue: () => false,
  };
}

for (const n of arg('n', '2,3').split(',').map(Number)) {
  for (const variant of ['2.5.70', 'truncate-seq']) {
    const w = faultersAndTruncate(n);
    const make = () => createMachine(w, { fault: variant });
    // a first search warms the JIT up: the whole search is timed warm, like the jobs after it
    explore(make, { shrink: false, maxSchedules: 2000 });
    let c = cpuMs();
    const whole = explore(make, { shrink: false });
    const wholeCpu = cpuMs() - c;
    console.log(`\nN=${n} ${variant}: whole search ${whole.steps} steps ${whole.schedules} schedules, ${wholeCpu.toFixed(0)} ms CPU`);
    for (const fixed of arg('depth', '0').split(',').map(Number)) {
      let planCpu = 0;
      let jobs: DporJob[] = [];
      const plans: string[] = [];
      for (let depth = fixed || 1; depth <= 12; depth++) {
        const h = host(make);
        jobs = [];
        c = cpuMs();
        const g = new DporSearch(h, { splitDepth: depth, onJob: (j) => jobs.push(j) }).run();
        while (!g.next().done);
        const ms = cpuMs() - c;
        planCpu += ms;
        plans.push(`depth ${depth}: ${jobs.length} jobs ${h.steps} steps ${ms.toFixed(0)} ms`);
        if (fixed || jobs.length >= SPLIT_JOBS) break;
      }
      console.log(`  planning (${plans.join('; ')})`);
      const rows = jobs.map((j, i) => {
        const c0 = cpuMs();
        const r = runDporJob(make, j, { maxSteps: 1000 });
        return { i, steps: r.steps, cpu: cpuMs() - c0, sleep: j.sleep.length };
      });
      const cpu = rows.reduce((a, r) => a + r.cpu, 0);
      const steps = rows.reduce((a, r) => a + r.steps, 0);
      const big = [...rows].sort((a, b) => b.steps - a.steps);
      // two workers, each taking the next job in order when free
      const free = [0, 0];
      for (const r of rows) free[free[0] <= free[1] ? 0 : 1] += r.cpu;
      const span = Math.max(...free) + planCpu;
      console.log(
        `  ${jobs.length} jobs: ${steps} steps (x${(steps / whole.steps).toFixed(2)} of the whole search's), ${cpu.toFixed(0)} ms CPU + planning ${planCpu.toFixed(0)} ms (x${((cpu + planCpu) / wholeCpu).toFixed(2)})`,
      );
      console.log(
        `  largest: ${big
          .slice(0, 4)
          .map((r) => `#${r.i} (${r.sleep} asleep) ${((r.steps / steps) * 100).toFixed(1)}% ${r.cpu.toFixed(0)} ms`)
          .join(', ')}; the other ${rows.length - 4}: ${((big.slice(4).reduce((a, r) => a + r.steps, 0) / steps) * 100).toFixed(1)}%`,
      );
      console.log(
        `  two workers: ${span.toFixed(0)} ms (x${(wholeCpu / span).toFixed(2)} against the whole search, x${((cpu + planCpu) / span).toFixed(2)} against the jobs on one)`,
      );
    }
  }
}
