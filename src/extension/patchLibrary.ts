// What the extension uses of the patch analyser, in one module that libraries.ts loads lazily.
export { attachParser, emptyAnalysis, scanCSource } from '../patch/analyze';
export { loadCParser } from '../patch/cParser';
