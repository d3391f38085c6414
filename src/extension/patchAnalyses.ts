// Runs the patch analyser in a worker thread (dist/patchAnalysisWorker.js) with a memory cap and a
// time limit, one patch at a time, the newest text of a document first: the extension host only sends
// text and receives the analysis, so no patch can block or exhaust it. No vscode import (unit-tested in Node).
import { Worker } from 'node:worker_threads';

import type { Analysis } from '../patch/analysisModel';

import type { AnalysisRequest, AnalysisResponse } from './patchAnalysisWorker';

export type AnalysisOutcome =
  | { kind: 'done'; analysis: Analysis }
  /** the analyser was stopped (time limit) or died (memory cap): `message` says which */
  | { kind: 'failed'; message: string }
  /** a newer text of the same document was queued before this one was analysed */
  | { kind: 'superseded' };

const STOPPED: AnalysisOutcome = { kind: 'failed', message: 'the analysis stopped: the extension was deactivated' };

interface Waiting {
  key: string;
  text: string;
  source: string;
  resolve: (o: AnalysisOutcome) => void;
}

export class PatchAnalyses {
  private worker: Worker | undefined;
  private nextId = 1;
  private current: (Waiting & { id: number; timer: ReturnType<typeof setTimeout> }) | undefined;
  private readonly waiting = new Map<string, Waiting>();
  /** the cap the kept worker was started with: a changed setting starts a new one */
  private workerMemoryMb = 0;
  private disposed = false;

  constructor(
    private readonly workerFile: string,
    private readonly limits: () => { timeLimitMs: number; memoryMb: number },
    private readonly memorySetting = 'mmExplorer.explore.memoryLimitMB',
  ) {}

  /** the analysis of `text`; `key` names the document (a newer text of it supersedes one still waiting) */
  analyze(key: string, text: string, source: string): Promise<AnalysisOutcome> {
    if (this.disposed) return Promise.resolve(STOPPED);
    return new Promise((resolve) => {
      this.waiting.get(key)?.resolve({ kind: 'superseded' });
      this.waiting.set(key, { key, text, source, resolve });
      this.pump();
    });
  }

  private spawn(): Worker {
    const { memoryMb } = this.limits();
    this.workerMemoryMb = memoryMb;
    const w = new Worker(this.workerFile, { resourceLimits: { maxOldGenerationSizeMb: memoryMb } });
    w.on('message', (m: AnalysisResponse) => {
      if (this.current?.id !== m.id) return;
      this.finish(m.type === 'done' ? { kind: 'done', analysis: m.analysis } : { kind: 'failed', message: m.message });
    });
    w.on('error', (e: Error & { code?: string }) => {
      const why =
        e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `it needed more than ${memoryMb} MB of memory (setting ${this.memorySetting})` : e.message;
      this.lose(w, `the analysis stopped: ${why}`);
    });
    w.on('exit', (code) => this.lose(w, `the analysis stopped (worker exit code ${code})`));
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
      this.finish({ kind: 'failed', message: `the analysis took longer than ${timeLimitMs / 1000} s and was stopped` });
    }, timeLimitMs);
    this.current = { ...req, id, timer };
    this.worker.postMessage({ id, text: req.text, source: req.source } satisfies AnalysisRequest);
  }

  private finish(o: AnalysisOutcome): void {
    const cur = this.current;
    if (!cur) return;
    clearTimeout(cur.timer);
    this.current = undefined;
    cur.resolve(o);
    this.pump();
  }

  dispose(): void {
    // not 'superseded': its callers would ask again, and a new worker would outlive the extension
    this.disposed = true;
    for (const r of this.waiting.values()) r.resolve(STOPPED);
    this.waiting.clear();
    if (this.current) this.finish(STOPPED);
    void this.worker?.terminate();
    this.worker = undefined;
  }
}
