// Worker thread of a partitioned exploration: builds machines from the recipe and explores the
// subtrees it is sent (explorerWorkers.ts), one at a time.
import { parentPort } from 'node:worker_threads';

import { createMachine } from '../engine/index';

import { runDporJob } from './explorer';
import type { WorkerRequest } from './explorerWorkers';

parentPort?.on('message', (m: WorkerRequest) => {
  const make = () => createMachine(m.recipe.world, m.recipe.selection);
  parentPort!.postMessage(runDporJob(make, m.job, m.opts));
});
