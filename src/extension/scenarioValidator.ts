// Runs the scenario checker in a worker thread (dist/scenarioValidator.js) with a memory cap and a time
// limit, one document at a time, newest text first: the extension host only sends text and receives
// diagnostics, so no scenario can block or exhaust it. No vscode import (unit-tested in Node).
import type { Scenario } from '../scenario/scenario';
import type { Diagnostic } from '../scenario/scenarioFile';
import type { ValidationRequest, ValidationResponse } from '../scenario/validationWorker';

import { LatestWorker } from './latestWorker';

export type ValidationOutcome =
  /** `scenario`: loaded without errors, when it was asked for */
  | { kind: 'done'; diagnostics: Diagnostic[]; scenario?: Scenario }
  /** the checker was stopped (time limit) or died (memory cap): `message` says which */
  | { kind: 'failed'; message: string }
  /** a newer text of the same document was queued before this one was checked */
  | { kind: 'superseded' };

type Answered = Extract<ValidationOutcome, { kind: 'done' }>;

export class ScenarioValidator {
  private readonly queue: LatestWorker<ValidationRequest, ValidationResponse, Answered>;

  constructor(workerFile: string, timeoutMs = 30_000, memoryMb = 512) {
    this.queue = new LatestWorker<ValidationRequest, ValidationResponse, Answered>({
      workerFile,
      limits: () => ({ timeLimitMs: timeoutMs, memoryMb }),
      outcome: (m) => ({ kind: 'done', diagnostics: m.diagnostics, ...(m.scenario ? { scenario: m.scenario } : {}) }),
      disposed: { kind: 'superseded' },
      stopped: (why) => `the scenario checker stopped: ${why}`,
      exited: () => 'the scenario checker exited',
      tooSlow: (ms) => `checking took longer than ${ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`} and was stopped`,
    });
  }

  validate(key: string, text: string, file: string): Promise<ValidationOutcome> {
    return this.queue.submit(key, { text, file, scenario: false });
  }

  /** The same checks, and the loaded scenario when it has no errors (what a run starts from). */
  load(key: string, text: string, file: string): Promise<ValidationOutcome> {
    return this.queue.submit(key, { text, file, scenario: true });
  }

  dispose(): void {
    this.queue.dispose();
  }
}
