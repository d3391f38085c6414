// Run This Patch's child process, in a worker thread (dist/runPatchWorker.js): the worker starts
// `mmx run-patch --json --sources`, collects its report (up to REPORT_MAX_BYTES), parses and checks it,
// and sends it to the extension host, whose thread never holds or parses the JSON text. A cancel or the
// time limit ends the child. No vscode import.
import { execFile } from 'node:child_process';
import { parentPort } from 'node:worker_threads';

import type { Comparison } from '../scenario/comparisonModel';

/** the part of `mmx run-patch --json --sources` the editor uses (the command's report, src/cli/patchRun.ts) */
export interface PatchRunReport {
  tree: string;
  columns: {
    label: string;
    /** the fault variant the column ran (interpreted: patch-<hash>-<label>) */
    variant: string;
    era: string;
    rules: string;
    interpreted: { name: string }[];
    sources: { file: string; text: string }[];
  }[];
  scenarios: { scenario: string; why: string; verdict: string; comparison: Comparison }[];
  unseen: { notEntered: string[]; notObservable: { note: string }[] };
  versions: {
    version: string;
    files: {
      path: string;
      status: string;
      hunks: {
        index: number;
        status: string;
        patchLine: number;
        reason?: string;
        mismatch?: { line: number; want: string; got: string }[];
      }[];
    }[];
    functions: { name: string; reconstructed: boolean; complete: boolean; base?: { text: string }; patched?: { text: string } }[];
  }[];
}

/** the child's output, checked before use */
export function readReport(stdout: string): PatchRunReport {
  const r = JSON.parse(stdout) as Partial<PatchRunReport>;
  const arrays = [r.columns, r.scenarios, r.versions, r.unseen?.notEntered, r.unseen?.notObservable];
  if (typeof r.tree !== 'string' || arrays.some((a) => !Array.isArray(a))) throw new Error('not a run-patch report');
  for (const c of r.columns!) {
    if (!Array.isArray(c.sources)) throw new Error('the report has no column sources');
    if (typeof c.variant !== 'string' || typeof c.era !== 'string' || typeof c.rules !== 'string' || !Array.isArray(c.interpreted))
      throw new Error(`column ${String(c.label)}: no variant, era, rules or interpreted functions`);
  }
  return r as PatchRunReport;
}

/** the largest report read from the child */
export const REPORT_MAX_BYTES = 512 * 1024 * 1024;

/** host -> worker */
export type RunPatchRequest = { type: 'start'; args: string[]; timeLimitMs: number } | { type: 'cancel' };

/** worker -> host */
export type RunPatchResponse =
  | { type: 'report'; report: PatchRunReport }
  | { type: 'cancelled' }
  /** the child failed, was stopped, or its output is no report: `message` says which */
  | { type: 'failed'; message: string };

/** Run the child and read its report; `signal` ends it. Exported for tests that run it on their own thread. */
export function runChild(args: string[], timeLimitMs: number, signal?: AbortSignal): Promise<RunPatchResponse> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      args,
      { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, maxBuffer: REPORT_MAX_BYTES, timeout: timeLimitMs },
      (err, stdout, stderr) => {
        if (signal?.aborted) return resolve({ type: 'cancelled' });
        // exit 1 means a hunk did not apply: the report still comes
        if (err && (err as { code?: unknown }).code !== 1) {
          const e = err as { killed?: boolean; code?: unknown };
          const why =
            e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER'
              ? `the report is larger than ${REPORT_MAX_BYTES / (1024 * 1024)} MB and was not read`
              : e.killed
                ? `stopped after ${timeLimitMs} ms (mmExplorer.runPatch.timeLimitMs)`
                : stderr.trim() || err.message;
          return resolve({ type: 'failed', message: `run-patch: ${why}` });
        }
        try {
          resolve({ type: 'report', report: readReport(stdout) });
        } catch (x) {
          resolve({ type: 'failed', message: `run-patch: unreadable output: ${(x as Error).message}` });
        }
      },
    );
    signal?.addEventListener('abort', () => child.kill(), { once: true });
  });
}

const port = parentPort;
if (port) {
  const cancel = new AbortController();
  port.on('message', (m: RunPatchRequest) => {
    if (m.type === 'cancel') return cancel.abort();
    void runChild(m.args, m.timeLimitMs, cancel.signal).then((r) => port.postMessage(r satisfies RunPatchResponse));
  });
}
