// The limits the extension works within, from the settings and from workspace trust. No vscode import:
// the caller reads the settings, this decides (and the unit tests check the decision).
// Restricted Mode (an untrusted workspace) halves every size limit, stops every search after at most
// 10 s, and makes an export that no save dialog chose ask first.
import { DEFAULT_INPUT_LIMITS, DEFAULT_WORKER_MEMORY_MB } from '../scenario/limits';

export interface LimitSettings {
  /** mmExplorer.limits.scenarioSizeMB */
  scenarioSizeMB?: number | null;
  /** mmExplorer.limits.patchSizeMB */
  patchSizeMB?: number | null;
  /** mmExplorer.scenarios.validateAsYouTypeMaxKB */
  asYouTypeMaxKB?: number | null;
  /** mmExplorer.explore.timeLimitMs */
  timeLimitMs?: number | null;
  /** mmExplorer.explore.memoryLimitMB */
  workerMemoryMB?: number | null;
  /** mmExplorer.limits.analysisTimeLimitMs */
  analysisTimeLimitMs?: number | null;
}

export interface Limits {
  trusted: boolean;
  /** the largest scenario read or checked at all */
  scenarioBytes: number;
  /** the largest patch read or analysed */
  patchBytes: number;
  /** the largest patch analysed when it is opened (larger ones on request) */
  autoAnalysisBytes: number;
  /** the largest scenario checked as you type (larger ones on open and save) */
  asYouTypeBytes: number;
  /** every search stops after this long */
  timeLimitMs: number;
  /** the analysis of a patch opened in the editor stops after this long */
  analysisTimeLimitMs: number;
  /** the old generation (MB) each worker of a run or search may fill (a run's worker, each exploration worker) */
  workerMemoryMb: number;
  /** an export to a path no save dialog chose asks first */
  confirmExports: boolean;
}

export const DEFAULT_TIME_LIMIT_MS = 60_000;
export const RESTRICTED_TIME_LIMIT_MS = 10_000;
/** not lowered in Restricted Mode: the parser's own budget keeps real patches far below it */
export const DEFAULT_ANALYSIS_TIME_LIMIT_MS = 120_000;
/** the setting's declared minimum (package.json), also for a value written past it in settings.json */
const MIN_ANALYSIS_TIME_LIMIT_MS = 1000;
const DEFAULT_AS_YOU_TYPE_KB = 512;
const AUTO_ANALYSIS_BYTES = 8 * 1024 * 1024;
export const MIN_WORKER_MEMORY_MB = 16;

const positive = (v: number | null | undefined): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;

export function effectiveLimits(s: LimitSettings, trusted: boolean): Limits {
  const scale = trusted ? 1 : 0.5;
  const mb = (v: number | null | undefined, fallback: number) =>
    Math.floor((positive(v) !== undefined ? positive(v)! * 1024 * 1024 : fallback) * scale);
  const time = positive(s.timeLimitMs) ?? DEFAULT_TIME_LIMIT_MS;
  return {
    trusted,
    scenarioBytes: mb(s.scenarioSizeMB, DEFAULT_INPUT_LIMITS.scenarioBytes),
    patchBytes: mb(s.patchSizeMB, DEFAULT_INPUT_LIMITS.patchBytes),
    autoAnalysisBytes: Math.floor(AUTO_ANALYSIS_BYTES * scale),
    asYouTypeBytes: Math.floor((positive(s.asYouTypeMaxKB) ?? DEFAULT_AS_YOU_TYPE_KB) * 1024 * scale),
    timeLimitMs: trusted ? time : Math.min(time, RESTRICTED_TIME_LIMIT_MS),
    analysisTimeLimitMs: Math.max(MIN_ANALYSIS_TIME_LIMIT_MS, positive(s.analysisTimeLimitMs) ?? DEFAULT_ANALYSIS_TIME_LIMIT_MS),
    // V8 needs a few MB to start a worker at all
    workerMemoryMb: Math.max(MIN_WORKER_MEMORY_MB, Math.floor(positive(s.workerMemoryMB) ?? DEFAULT_WORKER_MEMORY_MB)),
    confirmExports: !trusted,
  };
}

/** the settings' keys, for the vscode side that reads them */
export const LIMIT_SETTINGS = {
  scenarioSizeMB: 'mmExplorer.limits.scenarioSizeMB',
  patchSizeMB: 'mmExplorer.limits.patchSizeMB',
  asYouTypeMaxKB: 'mmExplorer.scenarios.validateAsYouTypeMaxKB',
  timeLimitMs: 'mmExplorer.explore.timeLimitMs',
  workerMemoryMB: 'mmExplorer.explore.memoryLimitMB',
  analysisTimeLimitMs: 'mmExplorer.limits.analysisTimeLimitMs',
} as const;
