// Options and arguments shared by the commands: parsing, integers, the one scenario, --variant, --schedule.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { listVariants } from '../engine/index';
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

/** load one scenario or report its diagnostics; undefined = bad input already reported */
export function loadOne(io: Io, cmd: string, files: string[]): Scenario | undefined {
  if (files.length !== 1) throw new UsageError(`mmx ${cmd}: expects exactly one scenario file`);
  const r = loadScenarioFile(files[0]);
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
