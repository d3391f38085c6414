// One worker thread (started with a memory cap, kept while it answers) running one request at a time,
// newest first: a request waiting under the same key is replaced by a newer one and answers 'superseded';
// a request that takes longer than the time limit ends the worker (the next request starts a new one),
// and a changed memory cap starts a new worker for the next request. Shared by the patch analyses, the
// replays and the scenario checker. No vscode import (unit-tested in Node).
import { Worker } from 'node:worker_threads';

export type WorkerOutcome<Done> = Done | { kind: 'failed'; message: string } | { kind: 'superseded' };

export interface LatestWorkerOptions<Res, Done> {
  workerFile: string;
  limits: () => { timeLimitMs: number; memoryMb: number };
  /** the outcome of the worker's answer */
  outcome: (res: Res) => WorkerOutcome<Done>;
  /** what every request answers once disposed (and those pending when it is) */
  disposed: WorkerOutcome<Done>;
  /** the message when the worker failed (`why`: its error, or the memory cap it exceeded) */
  stopped: (why: string) => string;
  /** the message when the worker exited by itself */
  exited: (code: number) => string;
  /** the message when a request took longer than the time limit */
  tooSlow: (timeLimitMs: number) => string;
  /** the setting of the memory cap, named when a worker exceeds it */
  memorySetting?: string;
}

/** the messages of a worker's failures, named after what it does ('the analysis', 'the replay') */
export function stopMessages(
  what: string,
  /** the setting of the time limit, named when a request exceeds it */
  timeSetting: string,
): Pick<LatestWorkerOptions<unknown, unknown>, 'stopped' | 'exited' | 'tooSlow'> {
  return {
    stopped: (why) => `${what} stopped: ${why}`,
    exited: (code) => `${what} stopped (worker exit code ${code})`,
    tooSlow: (ms) => `${what} took longer than ${ms / 1000} s and was stopped (setting ${timeSetting})`,
  };
}

interface Waiting<Req, Done> {
  key: string;
  request: Req;
  resolve: (o: WorkerOutcome<Done>) => void;
}

export class LatestWorker<Req extends { id: number }, Res extends { id: number }, Done> {
  private worker: Worker | undefined;
  private nextId = 1;
  private current: (Waiting<Omit<Req, 'id'>, Done> & { id: number; timer: ReturnType<typeof setTimeout>; dropped?: boolean }) | undefined;
  private readonly waiting = new Map<string, Waiting<Omit<Req, 'id'>, Done>>();
  /** the cap the kept worker was started with: a changed setting starts a new one */
  private workerMemoryMb = 0;
  private disposed = false;

  constructor(private readonly opts: LatestWorkerOptions<Res, Done>) {}

  /** the worker kept, if any */
  get kept(): Worker | undefined {
    return this.worker;
  }

  /** the answer to `request`; one still waiting under the same `key` answers 'superseded' */
  submit(key: string, request: Omit<Req, 'id'>): Promise<WorkerOutcome<Done>> {
    if (this.disposed) return Promise.resolve(this.opts.disposed);
    return new Promise((resolve) => {
      this.waiting.get(key)?.resolve({ kind: 'superseded' });
      this.waiting.set(key, { key, request, resolve });
      this.pump();
    });
  }

  private spawn(): Worker {
    const { memoryMb } = this.opts.limits();
    this.workerMemoryMb = memoryMb;
    const w = new Worker(this.opts.workerFile, { resourceLimits: { maxOldGenerationSizeMb: memoryMb } });
    w.on('message', (m: Res) => {
      if (this.current?.id !== m.id) return;
      this.finish(this.opts.outcome(m));
    });
    w.on('error', (e: Error & { code?: string }) => {
      const setting = this.opts.memorySetting ? ` (setting ${this.opts.memorySetting})` : '';
      const why = e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `it needed more than ${memoryMb} MB of memory${setting}` : e.message;
      this.lose(w, this.opts.stopped(why));
    });
    w.on('exit', (code) => this.lose(w, this.opts.exited(code)));
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
    if (this.current) return;
    const next = this.waiting.values().next();
    if (next.done) return;
    const req = next.value;
    this.waiting.delete(req.key);
    if (this.worker && this.workerMemoryMb !== this.opts.limits().memoryMb) {
      const old = this.worker;
      this.worker = undefined;
      void old.terminate();
    }
    this.worker ??= this.spawn();
    const id = this.nextId++;
    const { timeLimitMs } = this.opts.limits();
    const timer = setTimeout(() => {
      const w = this.worker;
      this.worker = undefined;
      void w?.terminate();
      this.finish({ kind: 'failed', message: this.opts.tooSlow(timeLimitMs) });
    }, timeLimitMs);
    this.current = { ...req, id, timer };
    this.worker.postMessage({ ...req.request, id });
  }

  private finish(o: WorkerOutcome<Done>): void {
    const cur = this.current;
    if (!cur) return;
    clearTimeout(cur.timer);
    this.current = undefined;
    cur.resolve(cur.dropped ? { kind: 'superseded' } : o);
    this.pump();
  }

  /** every request made so far answers 'superseded' (the one under way still finishes in the worker,
   * so the next does not wait behind a stopped worker) */
  supersede(): void {
    for (const r of this.waiting.values()) r.resolve({ kind: 'superseded' });
    this.waiting.clear();
    if (this.current) this.current.dropped = true;
  }

  /** no worker starts afterwards; the requests pending answer `disposed` */
  dispose(): void {
    this.disposed = true;
    for (const r of this.waiting.values()) r.resolve(this.opts.disposed);
    this.waiting.clear();
    if (this.current) this.finish(this.opts.disposed);
    void this.worker?.terminate();
    this.worker = undefined;
  }
}
