// one point of the explorer ladder (bench/ladder.ts), for before/after comparisons run alternately:
// node scripts/run-ts.mjs bench/ladderPoint.ts N VARIANT [dpor|stateless|state|none] [limit-ms]
// (stateless: dpor without the state cache)
import { createMachine } from '../src/engine/index';
import { explore, type Reduction } from '../src/scenario/explorer';

import { faultersAndTruncate, measured } from './ladder';

const [n, variant, reduction, limit] = process.argv.slice(2);
const w = faultersAndTruncate(Number(n));
const row = measured(Number(n), variant, () =>
  explore(() => createMachine(w, { fault: variant }), {
    reduction: (reduction === 'stateless' ? 'dpor' : (reduction ?? 'dpor')) as Reduction,
    stateCache: reduction !== 'stateless',
    shrink: false,
    timeLimitMs: Number(limit ?? 60000),
  }),
);
console.log(JSON.stringify(row));
