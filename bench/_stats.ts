import { createMachine } from '../src/engine/index';
import { explore } from '../src/scenario/explorer';
import { faultersAndTruncate } from './ladder';
const [n, variant, limit] = process.argv.slice(2);
const w = faultersAndTruncate(Number(n));
const t0 = Date.now();
const r = explore(() => createMachine(w, { fault: variant }), { reduction: 'dpor', shrink: false, timeLimitMs: Number(limit ?? 60000) });
console.log(JSON.stringify({ ms: Date.now() - t0, states: r.states, schedules: r.schedules, pruned: r.pruned, steps: r.steps, complete: r.complete, g: (globalThis as any).__dporStats }));
