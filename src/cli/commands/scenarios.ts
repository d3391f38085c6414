// mmx scenarios [DIR]: the bundled scenario library (or a directory of scenarios).
import { existsSync, statSync } from 'node:fs';

import { bundledScenarioDir, loadScenarioFile, scenarioFiles } from '../../scenario/library';
import { formatDiagnostic } from '../../scenario/scenarioFile';
import { table } from '../format';
import type { Io } from '../io';
import { cliInputLimit, parse } from '../options';

export function cmdScenarios(io: Io, args: string[]): number {
  const { values, positionals } = parse('scenarios', args, {});
  const dir = positionals[0] ?? bundledScenarioDir();
  if (!dir) {
    io.err('mmx scenarios: no bundled scenarios found (set MMX_SCENARIOS or pass a directory)');
    return 2;
  }
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) {
    io.err(`mmx scenarios: ${dir}: ${existsSync(dir) ? 'not a directory' : 'no such directory'}`);
    return 2;
  }
  const list: { file: string; title: string; variants: string[]; description: string; valid: boolean }[] = [];
  for (const f of scenarioFiles([dir])) {
    const r = loadScenarioFile(f, cliInputLimit('scenario'));
    // an invalid scenario says why, where the error is
    for (const d of r.scenario ? [] : r.diagnostics.filter((x) => x.severity === 'error').slice(0, 1)) io.err(formatDiagnostic(d));
    list.push({
      file: f,
      title: r.scenario?.title ?? '(invalid)',
      variants: r.scenario?.columns.map((c) => c.label) ?? [],
      description: r.scenario?.description.trim() ?? r.diagnostics.map(formatDiagnostic).join('; '),
      valid: !!r.scenario,
    });
  }
  if (values.json) io.out(JSON.stringify(list));
  else io.out(table(['file', 'title', 'variants'], list.map((x) => [x.file, x.title, x.variants.join(', ')])));
  return list.every((x) => x.valid) ? 0 : 2;
}
