// Starts Run This Patch's worker (dist/runPatchWorker.js) and ends it: a cancel asks the worker to kill
// its child first, since ending the worker alone would leave the child exploring. No vscode import.
import { Worker } from 'node:worker_threads';

import { LIMIT_SETTINGS } from './limits';
import type { RunPatchRequest, RunPatchResponse } from './runPatchWorker';

/** how long a cancelled worker may take to kill its child before the worker itself is ended */
const CANCEL_GRACE_MS = 2000;

export interface RunPatchRun {
  /** the worker's answer; a worker that dies or exits first is a 'failed' answer */
  done: Promise<RunPatchResponse>;
  /** kill the child, then end the worker (the answer is 'cancelled') */
  cancel(): void;
}

/** `memoryMb`: the worker's cap (its report is parsed there), named by `memorySetting` when reached */
export function startRunPatch(
  workerFile: string,
  args: string[],
  timeLimitMs: number,
  memoryMb: number,
  memorySetting: string = LIMIT_SETTINGS.workerMemoryMB,
): RunPatchRun {
  const w = new Worker(workerFile, { resourceLimits: { maxOldGenerationSizeMb: memoryMb } });
  let settled = false;
  let resolveDone!: (r: RunPatchResponse) => void;
  const done = new Promise<RunPatchResponse>((r) => (resolveDone = r));
  const settle = (r: RunPatchResponse) => {
    if (settled) return;
    settled = true;
    void w.terminate();
    resolveDone(r);
  };
  w.on('message', (m: RunPatchResponse) => settle(m));
  w.on('error', (e: Error & { code?: string }) => {
    const why =
      e.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? `reading the report needed more than ${memoryMb} MB of memory (setting ${memorySetting})`
        : e.message;
    settle({ type: 'failed', message: `run-patch: ${why}` });
  });
  w.on('exit', (code) => settle({ type: 'failed', message: `run-patch: the worker exited (code ${code})` }));
  w.postMessage({ type: 'start', args, timeLimitMs } satisfies RunPatchRequest);
  return {
    done,
    cancel: () => {
      if (settled) return;
      w.postMessage({ type: 'cancel' } satisfies RunPatchRequest);
      setTimeout(() => settle({ type: 'cancelled' }), CANCEL_GRACE_MS).unref();
    },
  };
}
