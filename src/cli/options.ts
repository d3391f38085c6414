// Options and arguments shared by the commands: parsing, integers, the one scenario, --variant, --schedule.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { listVariants } from '../engine/index';
import type { ExploreOptions, ExploreProgress } from '../scenario/explorer';
import { inputLimit, type ReadLimit } from '../scenario/inputFile';
import { loadScenarioFile } from '../scenario/library';
import type { Scenario, VariantColumn } from '../scenario/scenario';
import { formatDiagnostic } from '../scenario/scenarioFile';
import { parseSchedule } from '../scenario/schedule';
import type { Io } from './io';

/** bad command line: printed as is, exit 2 */
export class UsageError extends Error {}

const COMMON = {
  json: { type: 'boolean' },
  variant: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(cmd: string, args: string[], options: T) {
  try {
    return parseArgs({ args, options: { ...COMMON, ...options }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`mmx ${cmd}: ${(e as Error).message}`);
  }
}

export function intOpt(cmd: string, name: string, v: string | undefined, min = 0): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`mmx ${cmd}: --${name} expects an integer >= ${min}, got '${v}'`);
  return Number(v);
}

/** The input size limits of the CLI: the defaults (2 MB a scenario, 256 MB a patch), or megabytes
 * from MMX_MAX_SCENARIO_MB / MMX_MAX_PATCH_MB. */
export function cliInputLimit(kind: 'scenario' | 'patch'): ReadLimit {
  const env = kind === 'scenario' ? 'MMX_MAX_SCENARIO_MB' : 'MMX_MAX_PATCH_MB';
  const v = process.env[env];
  return inputLimit(kind, v !== undefined && v !== '' ? Number(v) : undefined, `set ${env} to raise it`);
}

/** load one scenario or report its diagnostics; undefined = bad input already reported */
export function loadOne(io: Io, cmd: string, files: string[]): Scenario | undefined {
  if (files.length !== 1) throw new UsageError(`mmx ${cmd}: expects exactly one scenario file`);
  const r = loadScenarioFile(files[0], cliInputLimit('scenario'));
  for (const d of r.diagnostics) io.err(formatDiagnostic(d));
  return r.scenario;
}

/** the columns asked for with --variant (labels or family=name selections) */
export function pickColumns(s: Scenario, cmd: string, wanted: string[] | undefined): VariantColumn[] {
  if (!wanted || wanted.length === 0) return s.columns;
  const families = new Map<string, string[]>();
  for (const v of listVariants()) families.set(v.family, [...(families.get(v.family) ?? []), v.name]);
  return wanted.map((w) => {
    const col = s.columns.find((c) => c.label === w);
    if (col) return col;
    if (!w.includes('=')) throw new UsageError(`mmx ${cmd}: no column '${w}' in ${s.file}; columns: ${s.columns.map((c) => c.label).join(', ')}`);
    const selection: Record<string, string> = {};
    for (const part of w.split(',')) {
      const [family, name] = part.split('=');
      const names = families.get(family);
      if (!names) throw new UsageError(`mmx ${cmd}: unknown API family '${family}'; families: ${[...families.keys()].join(', ')}`);
      if (!names.includes(name)) throw new UsageError(`mmx ${cmd}: unknown ${family} variant '${name}'; known: ${names.join(', ')}`);
      selection[family] = name;
    }
    return { label: w, selection };
  });
}

export function scheduleOpt(cmd: string, s: Scenario, text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  try {
    return parseSchedule(text, s.world.tasks.map((t) => t.name));
  } catch (e) {
    throw new UsageError(`mmx ${cmd}: ${(e as Error).message}`);
  }
}

// ---- the options of the commands that search ----

/** every search of a command stops after this long in all unless --time-limit says otherwise */
export const DEFAULT_TIME_LIMIT_MS = 60_000;
/** how often a progress line goes to stderr when no terminal shows a live count */
const PROGRESS_LINE_MS = 5_000;

export const SEARCH_OPTIONS = {
  'time-limit': { type: 'string' },
  progress: { type: 'string' },
} as const;

export function timeLimitOpt(cmd: string, v: string | undefined): number {
  return intOpt(cmd, 'time-limit', v, 1) ?? DEFAULT_TIME_LIMIT_MS;
}

/**
 * Progress of a long search. A terminal on stderr (without --json) gets a live count on one line;
 * otherwise (piped, --json) a line on stderr every few seconds, so a CI log shows the search is alive;
 * --progress=none: nothing. `live` and `lines` force either.
 */
export function progressOpt(cmd: string, io: Io, v: string | undefined, json: boolean | undefined) {
  if (v !== undefined && !['none', 'lines', 'live', 'auto'].includes(v)) throw new UsageError(`mmx ${cmd}: --progress expects none, lines, live or auto, got '${v}'`);
  const live = v === 'live' || ((v ?? 'auto') === 'auto' && !!io.tty && !json);
  const mode = v === 'none' ? 'none' : live ? 'live' : 'lines';
  const t0 = performance.now();
  let lastLine = 0;
  let shown = false;
  return {
    /** the progress options of one search; `what` names it in progress lines */
    of(what: string): Pick<ExploreOptions, 'onProgress' | 'progressIntervalMs'> {
      if (mode === 'none') return {};
      if (mode === 'live')
        return {
          progressIntervalMs: 200,
          onProgress: (p: ExploreProgress) => {
            shown = true;
            process.stderr.write(`\r\x1b[K  ${p.schedules} schedules, ${p.states} states (${p.statesPerSec}/s), frontier ${p.frontier}, ${Math.round(p.elapsedMs)} ms`);
          },
        };
      return {
        progressIntervalMs: 1000,
        onProgress: (p: ExploreProgress) => {
          const now = performance.now() - t0;
          if (now - lastLine < PROGRESS_LINE_MS) return;
          lastLine = now;
          io.err(`mmx ${cmd}: ${what}: searching, ${p.schedules} schedules, ${p.states} states (${p.statesPerSec}/s), frontier ${p.frontier}, ${p.violations} violation(s) after ${Math.round(now / 1000)} s`);
        },
      };
    },
    /** clear a live count before the results are printed */
    done(): void {
      if (shown) process.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}
