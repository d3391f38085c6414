// The scenario checker in a worker thread: the extension host sends a document's text and gets its
// diagnostics back (and, when asked, the loaded scenario), so that a large or hostile scenario never
// blocks the editor (dist/scenarioValidator.js).
import { parentPort } from 'node:worker_threads';

import { loadScenario } from './runner';
import type { Scenario } from './scenario';
import type { Diagnostic } from './scenarioFile';

export interface ValidationRequest {
  id: number;
  text: string;
  file: string;
  /** send the loaded scenario back too (a run about to start), not only the diagnostics */
  scenario?: boolean;
}

export interface ValidationResponse {
  id: number;
  diagnostics: Diagnostic[];
  scenario?: Scenario;
}

// the same checks as every other load: the engine's variant names included
parentPort?.on('message', (m: ValidationRequest) => {
  const r = loadScenario(m.text, m.file);
  parentPort!.postMessage({
    id: m.id,
    diagnostics: r.diagnostics,
    ...(m.scenario && r.scenario ? { scenario: r.scenario } : {}),
  } satisfies ValidationResponse);
});
