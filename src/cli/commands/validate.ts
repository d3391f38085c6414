// mmx validate FILE..: scenario files against the schema; each problem as file:line:col.
import { loadScenarioFile, scenarioFiles } from '../../scenario/library';
import { formatDiagnostic } from '../../scenario/scenarioFile';
import type { Io } from '../io';
import { cliInputLimit, parse, UsageError } from '../options';

export function cmdValidate(io: Io, args: string[]): number {
  const { values, positionals } = parse('validate', args, {});
  if (positionals.length === 0) throw new UsageError('mmx validate: expects scenario files or directories');
  const files = scenarioFiles(positionals);
  if (files.length === 0) {
    io.err(`mmx validate: no *.mmscenario.yaml under ${positionals.join(', ')}`);
    return 2;
  }
  let bad = false;
  const report: unknown[] = [];
  for (const f of files) {
    const r = loadScenarioFile(f, cliInputLimit('scenario'));
    const ok = !!r.scenario;
    bad ||= !ok;
    if (values.json) report.push({ file: f, ok, diagnostics: r.diagnostics });
    else {
      for (const d of r.diagnostics) io.out(formatDiagnostic(d));
      if (ok) io.out(`${f}: ok`);
    }
  }
  if (values.json) io.out(JSON.stringify(report));
  return bad ? 2 : 0;
}
