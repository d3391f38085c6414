// The subtrees of a partitioned exploration (explorer.ts) on worker threads: a work queue hands the
// next job to whichever worker is free; results are kept by job index, so the merge that follows is
// in job order whatever finished first.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

import type { VariantSelection, WorldSpec } from '../engine/index';

import type { DporJob } from './dpor';
import type { JobOptions, JobResult } from './explorer';
import { DEFAULT_WORKER_MEMORY_MB } from './limits';

/** what a worker is sent, one job at a time */
export interface WorkerRequest {
  recipe: { world: WorldSpec; selection: VariantSelection };
  job: DporJob;
  opts: JobOptions;
}

/** the worker bundle next to the running one (dist/exploreWorker.js) */
export function defaultWorkerScript(): string | undefined {
  const p = typeof __dirname === 'string' ? join(__dirname, 'exploreWorker.js') : undefined;
  return p && existsSync(p) ? p : undefined;
}

/** A search allocates machines, events and states that live for one schedule: with V8's default
 * young generation (16 MB semi-spaces) they outlive scavenges and fill the old generation. 64 MB
 * semi-spaces (V8 sizes the young generation at three of them) make the search about 1.5x faster. */
const YOUNG_GENERATION_MB = 192;

/** A worker reached its memory cap: the search ends with this, nothing else is lost. */
export class WorkerMemoryError extends Error {
  constructor(readonly memoryMb: number) {
    super(`an exploration worker stopped: its subtree needed more than ${memoryMb} MB of memory`);
  }
}

export async function runJobsOnWorkers(
  jobs: readonly DporJob[],
  recipe: WorkerRequest['recipe'],
  opts: JobOptions,
  n: number,
  script: string | undefined,
  signal: AbortSignal | undefined,
  report: (r: JobResult) => void,
  memoryMb = DEFAULT_WORKER_MEMORY_MB,
): Promise<JobResult[]> {
  const file = script ?? defaultWorkerScript();
  if (!file) throw new Error('exploration workers: no exploreWorker.js next to this bundle (build with esbuild.config.mjs)');
  const results: JobResult[] = [];
  let next = 0;
  const limits = { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB, maxOldGenerationSizeMb: memoryMb };
  const workers = Array.from({ length: Math.max(1, Math.min(n, jobs.length)) }, () => new Worker(file, { resourceLimits: limits }));
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.on('error', (e: Error & { code?: string }) =>
              reject(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new WorkerMemoryError(memoryMb) : e),
            );
            // a worker that ends without an error event would otherwise leave its job waiting forever
            w.on('exit', (code) => reject(new Error(`an exploration worker exited (code ${code}) before its subtree was done`)));
            // a cancel does not wait for the jobs in flight: their workers are ended below and their
            // subtrees count as not covered (the result says cancelled)
            signal?.addEventListener('abort', () => resolve(), { once: true });
            const feed = () => {
              if (next >= jobs.length || signal?.aborted) {
                resolve();
                return;
              }
              const i = next++;
              w.once('message', (r: JobResult) => {
                results[i] = r;
                report(r);
                feed();
              });
              w.postMessage({ recipe, job: jobs[i], opts } satisfies WorkerRequest);
            };
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  // a cancelled search stops handing out jobs: only those that ran count
  return results.filter((r) => r !== undefined);
}
