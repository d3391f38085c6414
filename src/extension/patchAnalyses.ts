// Runs the patch analyser in a worker thread (dist/patchAnalysisWorker.js) with a memory cap and a
// time limit, one patch at a time, the newest text of a document first: the extension host only sends
// text and receives the analysis, so no patch can block or exhaust it. No vscode import (unit-tested in Node).
import type { Worker } from 'node:worker_threads';

import type { Analysis } from '../patch/analysisModel';

import { LatestWorker, stopMessages } from './latestWorker';
import { LIMIT_SETTINGS } from './limits';
import type { AnalysisRequest, AnalysisResponse } from './patchAnalysisWorker';

export type AnalysisOutcome =
  | { kind: 'done'; analysis: Analysis }
  /** the analyser was stopped (time limit) or died (memory cap): `message` says which */
  | { kind: 'failed'; message: string }
  /** a newer text of the same document was queued before this one was analysed */
  | { kind: 'superseded' };

// not 'superseded' after dispose: its callers would ask again, and a new worker would outlive the extension
const STOPPED: AnalysisOutcome = { kind: 'failed', message: 'the analysis stopped: the extension was deactivated' };

type Answered = Extract<AnalysisOutcome, { kind: 'done' }>;

export class PatchAnalyses {
  private readonly queue: LatestWorker<AnalysisRequest, AnalysisResponse, Answered>;

  constructor(
    workerFile: string,
    limits: () => { timeLimitMs: number; memoryMb: number },
    memorySetting: string = LIMIT_SETTINGS.workerMemoryMB,
  ) {
    this.queue = new LatestWorker<AnalysisRequest, AnalysisResponse, Answered>({
      workerFile,
      limits,
      memorySetting,
      outcome: (m) => (m.type === 'done' ? { kind: 'done', analysis: m.analysis } : { kind: 'failed', message: m.message }),
      disposed: STOPPED,
      ...stopMessages('the analysis', LIMIT_SETTINGS.analysisTimeLimitMs),
    });
  }

  /** the worker kept, if any */
  private get worker(): Worker | undefined {
    return this.queue.kept;
  }

  /** the analysis of `text`; `key` names the document (a newer text of it supersedes one still waiting) */
  analyze(key: string, text: string, source: string): Promise<AnalysisOutcome> {
    return this.queue.submit(key, { text, source });
  }

  dispose(): void {
    this.queue.dispose();
  }
}
