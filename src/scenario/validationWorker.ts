// The scenario checker in a worker thread: the extension host sends a document's text and gets its
// diagnostics back, so that a large or hostile scenario never blocks the editor (dist/scenarioValidator.js).
import { parentPort } from 'node:worker_threads';
import { validateScenarioText, type VariantCatalogue } from './scenarioFile';

export interface ValidationRequest {
  id: number;
  text: string;
  file: string;
  variants?: VariantCatalogue;
}

parentPort?.on('message', (m: ValidationRequest) => {
  parentPort!.postMessage({ id: m.id, diagnostics: validateScenarioText(m.text, m.file, m.variants ? { variants: m.variants } : {}) });
});
