// The scenario checker in a worker thread: the extension host sends a document's text and gets its
// diagnostics back, so that a large or hostile scenario never blocks the editor (dist/scenarioValidator.js).
import { parentPort } from 'node:worker_threads';

import { loadScenario } from './runner';

export interface ValidationRequest {
  id: number;
  text: string;
  file: string;
}

// the same checks as every other load: the engine's variant names included
parentPort?.on('message', (m: ValidationRequest) => {
  parentPort!.postMessage({ id: m.id, diagnostics: loadScenario(m.text, m.file).diagnostics });
});
