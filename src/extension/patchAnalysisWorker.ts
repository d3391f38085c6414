// Worker thread of the patch analyser (dist/patchAnalysisWorker.js): a patch opened in the editor is
// analysed here, so a large patch or thread never blocks the extension host; the host sends the text
// and receives the plain-data Analysis. No vscode import.
import { parentPort } from 'node:worker_threads';

import type { Analysis } from '../patch/analysisModel';
import { analyzePatch } from '../patch/analyze';

/** host -> worker */
export interface AnalysisRequest {
  id: number;
  text: string;
  /** the name problems and the analysis carry (the workspace-relative path) */
  source: string;
}

/** worker -> host */
export type AnalysisResponse = { id: number; type: 'done'; analysis: Analysis } | { id: number; type: 'failed'; message: string };

const port = parentPort;
if (port) {
  port.on('message', (m: AnalysisRequest) => {
    analyzePatch(m.text, m.source).then(
      (analysis) => port.postMessage({ id: m.id, type: 'done', analysis } satisfies AnalysisResponse),
      (e: unknown) =>
        port.postMessage({ id: m.id, type: 'failed', message: e instanceof Error ? e.message : String(e) } satisfies AnalysisResponse),
    );
  });
}
