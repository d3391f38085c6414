// The page-table view's replays in a worker thread (dist/replayWorker.js) with a memory cap and a time
// limit: one worker kept while it answers (it keeps the interpreted variants it compiled), the newest
// selection first (a replay asked for while another runs supersedes any still waiting). A worker that
// dies or is too slow is ended and the next replay starts a new one. No vscode import (unit-tested in Node).
import { Worker } from 'node:worker_threads';

import type { MachineSnapshot } from '../engine/index';

import type { ReplayRequest, ReplayResponse } from './replayWorker';

export type ReplayOutcome =
  | { kind: 'replayed'; snapshot: MachineSnapshot }
  | { kind: 'failed'; message: string }
  /** a newer selection was asked for before this one ran */
  | { kind: 'superseded' };

interface Waiting {
  request: Omit<ReplayRequest, 'id'>;
  resolve: (o: ReplayOutcome) => void;
}

export class Replays {
  private worker: Worker | undefined;
  private nextId = 1;
  private current: (Waiting & { id: number; timer: ReturnType<typeof setTimeout>; dropped?: boolean }) | undefined;
  private waiting: Waiting | undefined;
  /** the cap the kept worker was started with: a changed setting starts a new one */
  private workerMemoryMb = 0;
  private disposed = false;

  constructor(
    private readonly workerFile: string,
    private readonly limits: () => { timeLimitMs: number; memoryMb: number },
    private readonly memorySetting = 'mmExplorer.explore.memoryLimitMB',
  ) {}

  replay(request: Omit<ReplayRequest, 'id'>): Promise<ReplayOutcome> {
    if (this.disposed) return Promise.resolve({ kind: 'superseded' });
    return new Promise((resolve) => {
      this.waiting?.resolve({ kind: 'superseded' });
      this.waiting = { request, resolve };
      this.pump();
    });
  }

  private spawn(): Worker {
    const memoryMb = this.limits().memoryMb;
    this.workerMemoryMb = memoryMb;
    const w = new Worker(this.workerFile, { resourceLimits: { maxOldGenerationSizeMb: memoryMb } });
    w.on('message', (m: ReplayResponse) => {
      if (this.current?.id !== m.id) return;
      this.finish(m.type === 'replayed' ? { kind: 'replayed', snapshot: m.snapshot } : { kind: 'failed', message: m.message });
    });
    w.on('error', (e: Error & { code?: string }) => {
      const why =
        e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `it needed more than ${memoryMb} MB of memory (setting ${this.memorySetting})` : e.message;
      this.lose(w, `the replay stopped: ${why}`);
    });
    w.on('exit', (code) => this.lose(w, `the replay stopped (worker exit code ${code})`));
    // an idle worker does not keep the process alive
    w.unref();
    return w;
  }

  private lose(w: Worker, message: string): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    this.finish({ kind: 'failed', message });
  }

  private pump(): void {
    if (this.current || !this.waiting) return;
    const next = this.waiting;
    this.waiting = undefined;
    if (this.worker && this.workerMemoryMb !== this.limits().memoryMb) {
      const old = this.worker;
      this.worker = undefined;
      void old.terminate();
    }
    this.worker ??= this.spawn();
    const id = this.nextId++;
    const { timeLimitMs } = this.limits();
    const timer = setTimeout(() => {
      const w = this.worker;
      this.worker = undefined;
      void w?.terminate();
      this.finish({ kind: 'failed', message: `the replay took longer than ${timeLimitMs / 1000} s and was stopped` });
    }, timeLimitMs);
    this.current = { ...next, id, timer };
    this.worker.postMessage({ ...next.request, id } satisfies ReplayRequest);
  }

  private finish(o: ReplayOutcome): void {
    const cur = this.current;
    if (!cur) return;
    clearTimeout(cur.timer);
    this.current = undefined;
    cur.resolve(cur.dropped ? { kind: 'superseded' } : o);
    this.pump();
  }

  /** the view now shows something else: every replay asked for so far answers 'superseded' (the one
   * under way still finishes in the worker, so the next does not wait behind a stopped worker) */
  supersede(): void {
    this.waiting?.resolve({ kind: 'superseded' });
    this.waiting = undefined;
    if (this.current) this.current.dropped = true;
  }

  dispose(): void {
    this.disposed = true;
    this.supersede();
    if (this.current) this.finish({ kind: 'superseded' });
    void this.worker?.terminate();
    this.worker = undefined;
  }
}
