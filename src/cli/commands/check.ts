// mmx check [PATH..]: every scenario (default: the bundled library) against its expect blocks.
import { bundledScenarioDir, loadScenarioFile, scenarioFiles } from '../../scenario/library';
import { checkColumn, EngineRefusal } from '../../scenario/runner';
import { formatDiagnostic } from '../../scenario/scenarioFile';
import { table } from '../format';
import type { Io } from '../io';
import { parse } from '../options';

export function cmdCheck(io: Io, args: string[]): number {
  const { values, positionals } = parse('check', args, {});
  let paths = positionals;
  if (paths.length === 0) {
    const dir = bundledScenarioDir();
    if (!dir) {
      io.err('mmx check: no bundled scenarios found (set MMX_SCENARIOS or pass paths)');
      return 2;
    }
    paths = [dir];
  }
  const files = scenarioFiles(paths);
  if (files.length === 0) {
    io.err(`mmx check: no *.mmscenario.yaml under ${paths.join(', ')}`);
    return 2;
  }
  let bad = false;
  let failed = false;
  const report: unknown[] = [];
  const rows: string[][] = [];
  let total = 0;
  let failedCount = 0;
  for (const f of files) {
    const r = loadScenarioFile(f);
    if (!r.scenario) {
      bad = true;
      for (const d of r.diagnostics) io.err(formatDiagnostic(d));
      report.push({ file: f, valid: false, diagnostics: r.diagnostics });
      continue;
    }
    const s = r.scenario;
    const cols: unknown[] = [];
    for (const col of s.columns) {
      let c;
      try {
        c = checkColumn(s, col);
      } catch (e) {
        if (!(e instanceof EngineRefusal)) throw e;
        io.err(e.message);
        bad = true;
        cols.push({ variant: col.label, ok: false, error: e.message, expectations: [], exploration: null });
        continue;
      }
      total += c.expectations.length;
      failedCount += c.expectations.filter((x) => !x.met).length;
      failed ||= !c.ok;
      const x = c.exploration;
      cols.push({
        variant: col.label,
        ok: c.ok,
        expectations: c.expectations,
        exploration: x ? { schedules: x.schedules, states: x.states, complete: x.complete, timeMs: Math.round(x.timeMs * 100) / 100 } : null,
      });
      for (const e of c.expectations) rows.push([f, col.label, e.met ? 'ok' : 'FAILED', e.text, e.met ? '' : e.detail]);
      if (c.expectations.length === 0) rows.push([f, col.label, '-', '(no expectation)', '']);
    }
    report.push({ file: f, title: s.title, valid: true, columns: cols });
  }
  if (values.json) io.out(JSON.stringify({ ok: !failed && !bad, scenarios: report }));
  else {
    io.out(table(['scenario', 'variant', 'status', 'expectation', 'detail'], rows));
    io.out('');
    io.out(`${files.length} scenarios, ${total} expectations, ${failedCount} failed${bad ? ', some scenarios are invalid' : ''}`);
  }
  return bad ? 2 : failed ? 1 : 0;
}
