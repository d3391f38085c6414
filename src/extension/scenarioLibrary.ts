// What the extension uses of the scenario layer (and through it, the engine), in one module that
// libraries.ts loads lazily. The searches themselves run in dist/scenarioRunWorker.js (scenarioRuns.ts),
// the page-table view's replays in dist/replayWorker.js (replays.ts).
export { loadScenario, columnOf } from '../scenario/runner';
export { bundledScenarioDir, scenarioFiles, SCENARIO_SUFFIX } from '../scenario/library';
export { validateScenarioText, formatDiagnostic } from '../scenario/scenarioFile';
export { variantCatalogue } from '../scenario/runner';
export { comparisonHtml } from '../scenario/comparisonHtml';
export { detailText, scopeSuffix } from '../scenario/expectations';
export { inputLimit, readInputFile } from '../scenario/inputFile';
export { sizeText } from '../scenario/limits';
