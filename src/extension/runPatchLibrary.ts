// What Run This Patch uses in the extension's own process, in one module that libraries.ts loads
// lazily: which hunks the engine can run (the CodeLens), and the interpreted columns rebuilt from a
// report's C so a selected step replays for the page-table view.
export { patchVersions } from '../patch/analyze';
export { hunkFunctions } from '../patch/hunkFunctions';
export { loadCParser } from '../patch/cParser';
export { interpretableFunctions, rebuildColumnVariant } from '../kernelc/index';
