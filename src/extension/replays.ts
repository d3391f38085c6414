// The page-table view's replays in a worker thread (dist/replayWorker.js) with a memory cap and a time
// limit: one worker kept while it answers (it keeps the interpreted variants it compiled), the newest
// selection first (a replay asked for while another runs supersedes any still waiting). A worker that
// dies or is too slow is ended and the next replay starts a new one. No vscode import (unit-tested in Node).
import type { Worker } from 'node:worker_threads';

import type { MachineSnapshot } from '../engine/index';

import { LatestWorker, stopMessages } from './latestWorker';
import { LIMIT_SETTINGS } from './limits';
import type { ReplayRequest, ReplayResponse } from './replayWorker';

export type ReplayOutcome =
  | { kind: 'replayed'; snapshot: MachineSnapshot }
  | { kind: 'failed'; message: string }
  /** a newer selection was asked for before this one ran */
  | { kind: 'superseded' };

/** every replay waits under this key: a newer one replaces any still waiting */
const KEY = 'replay';

type Answered = Extract<ReplayOutcome, { kind: 'replayed' }>;

export class Replays {
  private readonly queue: LatestWorker<ReplayRequest, ReplayResponse, Answered>;

  constructor(
    workerFile: string,
    limits: () => { timeLimitMs: number; memoryMb: number },
    memorySetting: string = LIMIT_SETTINGS.workerMemoryMB,
  ) {
    this.queue = new LatestWorker<ReplayRequest, ReplayResponse, Answered>({
      workerFile,
      limits,
      memorySetting,
      outcome: (m) => (m.type === 'replayed' ? { kind: 'replayed', snapshot: m.snapshot } : { kind: 'failed', message: m.message }),
      disposed: { kind: 'superseded' },
      ...stopMessages('the replay', LIMIT_SETTINGS.timeLimitMs),
    });
  }

  /** the worker kept, if any */
  private get worker(): Worker | undefined {
    return this.queue.kept;
  }

  replay(request: Omit<ReplayRequest, 'id'>): Promise<ReplayOutcome> {
    return this.queue.submit(KEY, request);
  }

  /** the view now shows something else: every replay asked for so far answers 'superseded' (the one
   * under way still finishes in the worker, so the next does not wait behind a stopped worker) */
  supersede(): void {
    this.queue.supersede();
  }

  dispose(): void {
    this.queue.dispose();
  }
}
