// The extension's scenario runs in a worker thread (dist/scenarioRunWorker.js): a comparison or an
// exploration of one column, with progress, finished columns and cancel as messages. The extension
// host's thread only sends the loaded scenario and receives plain data, so no search can block it.
// One run per worker: the host starts a worker per run and ends it when the result has come.
import { availableParallelism } from 'node:os';
import { parentPort } from 'node:worker_threads';

import type { Comparison } from './comparisonModel';
import { explorationModel } from './exploration';
import type { Exploration } from './explorationModel';
import { exploreAsync, type ExploreProgress } from './explorer';
import { WorkerMemoryError } from './explorerWorkers';
import { columnOf, compareScenarioAsync, exploreOptions, machineFactory } from './runner';
import type { Scenario } from './scenario';

/** the limits of the caller (settings, Restricted Mode); the scenario's bounds fill in the rest */
export interface RunLimits {
  maxSteps?: number;
  maxPreemptions?: number;
  timeLimitMs?: number;
  /** each exploration worker's old-generation cap (MB) */
  memoryMb?: number;
}

export type RunRequest =
  /** every column (or these) explored, then the shared schedule run in each */
  | { kind: 'compare'; scenario: Scenario; columns?: string[]; limits: RunLimits }
  /** one column's schedules, its subtrees on `jobs` worker threads, counterexamples replayed traced */
  | { kind: 'explore'; scenario: Scenario; column: string; limits: RunLimits; jobs?: number };

/** host -> worker */
export type HostMessage = { type: 'start'; request: RunRequest } | { type: 'cancel' };

/** worker -> host */
export type WorkerMessage =
  | { type: 'progress'; progress: ExploreProgress }
  /** a comparison's column finished (not cut by a cancel) */
  | { type: 'column'; label: string; done: number; of: number }
  | { type: 'compared'; comparison: Comparison; ok: boolean }
  | { type: 'explored'; exploration: Exploration }
  /** `memory`: a worker reached its memory cap (the host names the setting that raises it) */
  | { type: 'failed'; message: string; reason?: 'memory' };

/** Run one request; `signal` is the host's cancel. Exported for tests that run it on their own thread. */
export async function runRequest(r: RunRequest, signal: AbortSignal, post: (m: WorkerMessage) => void): Promise<WorkerMessage> {
  const onProgress = (progress: ExploreProgress) => post({ type: 'progress', progress });
  if (r.kind === 'compare') {
    const { comparison, ok } = await compareScenarioAsync(r.scenario, {
      ...r.limits,
      columns: r.columns,
      explore: true,
      signal,
      onProgress,
      onColumn: (label, done, of) => post({ type: 'column', label, done, of }),
    });
    return { type: 'compared', comparison, ok };
  }
  const s = r.scenario;
  const col = columnOf(s, r.column);
  if (!col) return { type: 'failed', message: `no variant '${r.column}' in ${s.file}` };
  const x = await exploreAsync(machineFactory(s, col.selection), {
    ...exploreOptions(s, r.limits),
    workerMemoryMb: r.limits.memoryMb,
    signal,
    jobs: r.jobs ?? availableParallelism(),
    recipe: { world: s.world, selection: col.selection },
    onProgress,
  });
  // each counterexample replayed with tracing on: the panel's diagram shows that run
  return { type: 'explored', exploration: explorationModel(s, col, x, { replay: true }) };
}

const port = parentPort;
if (port) {
  const cancel = new AbortController();
  const post = (m: WorkerMessage) => port.postMessage(m);
  port.on('message', (m: HostMessage) => {
    if (m.type === 'cancel') {
      cancel.abort();
      return;
    }
    runRequest(m.request, cancel.signal, post).then(post, (e: unknown) =>
      post(
        e instanceof WorkerMemoryError
          ? { type: 'failed', message: e.message, reason: 'memory' }
          : { type: 'failed', message: e instanceof Error ? e.message : String(e) },
      ),
    );
  });
}
