// What Run This Patch uses in the extension's own process, in one module that libraries.ts loads
// lazily: which hunks the engine can run (the CodeLens). The interpreted columns are rebuilt from a
// report's C in the page-table view's replay worker (replayWorker.ts).
export { patchVersions } from '../patch/analyze';
export { hunkFunctions } from '../patch/hunkFunctions';
export { interpretableFunctions } from '../kernelc/index';
