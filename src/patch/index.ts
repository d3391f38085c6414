// The patch analyser's public API (no vscode, no DOM): used by the extension and by `mmx analyze`.
export type { Analysis, ApiChange, FunctionDelta, Implementation, LockContract, PatchInfo, Problem, ReviewComment, SourceFinding } from './analysisModel';
export { analyzePatch, analyzeWith, scanCSource, FragmentCache, DEFAULT_PARSE_BUDGET, type AnalyzeOptions } from './analyze';
export { loadCParser, locateWasm, type CParser, type CParserOptions } from './cParser';
export { readDiffs, type DiffLine, type DiffReadResult, type FileDiff, type Hunk } from './diffReader';
export { readMessages, parseSubject, type MailMessage } from './mail';
export { splitFunctions, type ScanCache } from './sourceScanner';
