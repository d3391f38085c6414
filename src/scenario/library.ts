// The bundled scenario library (scenarios/*.mmscenario.yaml) and reading scenario files from disk.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { inputLimit, readInputFile, type ReadLimit } from './inputFile';
import type { LoadResult } from './scenarioFile';
import { loadScenario } from './runner';

export const SCENARIO_SUFFIX = '.mmscenario.yaml';

function hasScenarios(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && readdirSync(dir).some((f) => f.endsWith(SCENARIO_SUFFIX));
  } catch {
    return false;
  }
}

/** The bundled scenarios directory: $MMX_SCENARIOS, else `scenarios/` next to or above the running code, else under the cwd. */
export function bundledScenarioDir(from?: string): string | undefined {
  const env = process.env.MMX_SCENARIOS;
  if (env && hasScenarios(env)) return resolve(env);
  const starts: string[] = [];
  if (from) starts.push(from);
  if (typeof __dirname === 'string') starts.push(__dirname);
  if (process.argv[1]) starts.push(dirname(resolve(process.argv[1])));
  starts.push(process.cwd());
  for (const start of starts) {
    let d = resolve(start);
    for (let i = 0; i < 6; i++) {
      const c = join(d, 'scenarios');
      if (hasScenarios(c)) return c;
      const up = dirname(d);
      if (up === d) break;
      d = up;
    }
  }
  return undefined;
}

/** scenario files under the given paths (files taken as they are, directories searched one level) */
export function scenarioFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (existsSync(p) && statSync(p).isDirectory()) {
      for (const f of readdirSync(p).sort()) if (f.endsWith(SCENARIO_SUFFIX)) out.push(join(p, f));
    } else out.push(p);
  }
  return out;
}

export interface FileLoad extends LoadResult {
  /** set when the file could not be read */
  readError?: string;
}

/** Read and check a scenario file: a regular file within the size limit (default 8 MB). */
export function loadScenarioFile(path: string, limit: ReadLimit = inputLimit('scenario')): FileLoad {
  const r = readInputFile(path, limit);
  if (!r.ok) {
    return { diagnostics: [{ file: path, line: 1, column: 1, endLine: 1, endColumn: 1, severity: 'error', message: `cannot read: ${r.message}` }], readError: r.message };
  }
  return loadScenario(new TextDecoder().decode(r.bytes), path);
}
