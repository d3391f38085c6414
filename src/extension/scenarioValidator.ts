// Runs the scenario checker in a worker thread (dist/scenarioValidator.js) with a memory cap and a time
// limit, one document at a time, newest text first: the extension host only sends text and receives
// diagnostics, so no scenario can block or exhaust it. No vscode import (unit-tested in Node).
import { Worker } from 'node:worker_threads';

import type { Scenario } from '../scenario/scenario';
import type { Diagnostic } from '../scenario/scenarioFile';
import type { ValidationResponse } from '../scenario/validationWorker';

export type ValidationOutcome =
  /** `scenario`: loaded without errors, when it was asked for */
  | { kind: 'done'; diagnostics: Diagnostic[]; scenario?: Scenario }
  /** the checker was stopped (time limit) or died (memory cap): `message` says which */
  | { kind: 'failed'; message: string }
  /** a newer text of the same document was queued before this one was checked */
  | { kind: 'superseded' };

interface Request {
  key: string;
  text: string;
  file: string;
  /** the loaded scenario is wanted too */
  load: boolean;
  resolve: (o: ValidationOutcome) => void;
}

export class ScenarioValidator {
  private worker: Worker | undefined;
  private nextId = 1;
  private current: (Request & { id: number; timer: ReturnType<typeof setTimeout> }) | undefined;
  private readonly waiting = new Map<string, Request>();

  constructor(
    private readonly workerFile: string,
    private readonly timeoutMs = 30_000,
    private readonly memoryMb = 512,
  ) {}

  validate(key: string, text: string, file: string): Promise<ValidationOutcome> {
    return this.queue(key, text, file, false);
  }

  /** The same checks, and the loaded scenario when it has no errors (what a run starts from). */
  load(key: string, text: string, file: string): Promise<ValidationOutcome> {
    return this.queue(key, text, file, true);
  }

  private queue(key: string, text: string, file: string, load: boolean): Promise<ValidationOutcome> {
    return new Promise((resolve) => {
      this.waiting.get(key)?.resolve({ kind: 'superseded' });
      this.waiting.set(key, { key, text, file, load, resolve });
      this.pump();
    });
  }

  private spawn(): Worker {
    const w = new Worker(this.workerFile, { resourceLimits: { maxOldGenerationSizeMb: this.memoryMb } });
    w.on('message', (m: ValidationResponse) => {
      if (this.current?.id !== m.id) return;
      this.finish({ kind: 'done', diagnostics: m.diagnostics, ...(m.scenario ? { scenario: m.scenario } : {}) });
    });
    w.on('error', (e: Error & { code?: string }) => {
      const why = e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `it needed more than ${this.memoryMb} MB of memory` : e.message;
      this.lose(w, `the scenario checker stopped: ${why}`);
    });
    w.on('exit', () => this.lose(w, 'the scenario checker exited'));
    // an idle worker does not keep the process alive
    w.unref();
    return w;
  }

  private lose(w: Worker, message: string): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    if (this.current) this.finish({ kind: 'failed', message });
  }

  private pump(): void {
    if (this.current) return;
    const next = this.waiting.values().next();
    if (next.done) return;
    const req = next.value;
    this.waiting.delete(req.key);
    this.worker ??= this.spawn();
    const id = this.nextId++;
    const timer = setTimeout(() => {
      const w = this.worker;
      this.worker = undefined;
      void w?.terminate();
      this.finish({
        kind: 'failed',
        message: `checking took longer than ${this.timeoutMs >= 1000 ? `${this.timeoutMs / 1000} s` : `${this.timeoutMs} ms`} and was stopped`,
      });
    }, this.timeoutMs);
    this.current = { ...req, id, timer };
    this.worker.postMessage({ id, text: req.text, file: req.file, scenario: req.load });
  }

  private finish(o: ValidationOutcome): void {
    const cur = this.current;
    if (!cur) return;
    clearTimeout(cur.timer);
    this.current = undefined;
    cur.resolve(o);
    this.pump();
  }

  dispose(): void {
    for (const r of this.waiting.values()) r.resolve({ kind: 'superseded' });
    this.waiting.clear();
    if (this.current) this.finish({ kind: 'superseded' });
    void this.worker?.terminate();
    this.worker = undefined;
  }
}
