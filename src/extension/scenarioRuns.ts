// Runs a comparison or an exploration in a worker thread (dist/scenarioRunWorker.js), one worker per
// run: the extension host's thread sends the loaded scenario and receives progress, finished columns
// and the plain-data result, so no search can block it. A cancel asks the worker to stop (it returns
// what it covered, marked partial); a worker that does not answer soon after is ended. No vscode
// import (unit-tested in Node).
import { Worker } from 'node:worker_threads';

import type { ExploreProgress } from '../scenario/explorer';
import { DEFAULT_WORKER_MEMORY_MB } from '../scenario/limits';
import type { HostMessage, RunRequest, WorkerMessage } from '../scenario/scenarioRunWorker';

import { LIMIT_SETTINGS } from './limits';

export type RunOutcome = Extract<WorkerMessage, { type: 'compared' } | { type: 'explored' }>;

export interface RunHandlers {
  signal?: AbortSignal;
  onProgress?: (p: ExploreProgress) => void;
  /** a comparison's column finished: its label, and how many of how many are done */
  onColumn?: (label: string, done: number, of: number) => void;
}

/** how long a cancelled run may take to hand back what it covered before its worker is ended */
export const CANCEL_GRACE_MS = 10_000;

/** the setting that raises a run's memory cap (the run's worker and each of its exploration workers) */
export const MEMORY_SETTING = LIMIT_SETTINGS.workerMemoryMB;

/** The run ended without a result: the worker failed, died or did not stop after a cancel. */
export class RunFailure extends Error {}

export function runInWorker(workerFile: string, request: RunRequest, h: RunHandlers = {}, graceMs = CANCEL_GRACE_MS): Promise<RunOutcome> {
  return new Promise((resolve, reject) => {
    // a run's memory cap, the same as its exploration workers': past it the worker is stopped with a message, never the extension host
    const memoryMb = request.limits.memoryMb ?? DEFAULT_WORKER_MEMORY_MB;
    const w = new Worker(workerFile, { resourceLimits: { maxOldGenerationSizeMb: memoryMb } });
    let settled = false;
    let grace: ReturnType<typeof setTimeout> | undefined;
    const send = (m: HostMessage) => w.postMessage(m);
    const onAbort = () => {
      send({ type: 'cancel' });
      grace ??= setTimeout(() => fail(`the run did not stop within ${graceMs / 1000} s of the cancel and was ended`), graceMs);
    };
    const end = () => {
      settled = true;
      if (grace) clearTimeout(grace);
      h.signal?.removeEventListener('abort', onAbort);
      void w.terminate();
    };
    const fail = (message: string) => {
      if (settled) return;
      end();
      reject(new RunFailure(message));
    };
    w.on('message', (m: WorkerMessage) => {
      if (settled) return;
      switch (m.type) {
        case 'progress':
          h.onProgress?.(m.progress);
          return;
        case 'column':
          h.onColumn?.(m.label, m.done, m.of);
          return;
        case 'failed':
          fail(m.reason === 'memory' ? `${m.message} (setting ${MEMORY_SETTING})` : m.message);
          return;
        default:
          end();
          resolve(m);
      }
    });
    w.on('error', (e: Error & { code?: string }) =>
      fail(
        e.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `the run stopped: it needed more than ${memoryMb} MB of memory (setting ${MEMORY_SETTING})`
          : `the run stopped: ${e.message}`,
      ),
    );
    w.on('exit', (code) => fail(`the run stopped (worker exit code ${code})`));
    send({ type: 'start', request });
    // cancelled before it started: the worker still answers, with nothing (or little) covered
    if (h.signal?.aborted) onAbort();
    else h.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
