// mmx check [PATH..]: every scenario (default: the bundled library) against its expect blocks.
import type { ExpectationOutcome } from '../../scenario/comparisonModel';
import { scopeText } from '../../scenario/expectations';
import { bundledScenarioDir, loadScenarioFile, scenarioFiles } from '../../scenario/library';
import { checkColumn, deadline, EngineRefusal } from '../../scenario/runner';
import { formatDiagnostic } from '../../scenario/scenarioFile';
import { EXIT_MET, exitFor } from '../exitCodes';
import { table } from '../format';
import type { Io } from '../io';
import { cliInputLimit, parse, progressOpt, SEARCH_OPTIONS, timeLimitOpt } from '../options';

export function cmdCheck(io: Io, args: string[]): number {
  const { values, positionals } = parse('check', args, { ...SEARCH_OPTIONS });
  const progress = progressOpt('check', io, values.progress, values.json);
  // the limit holds for the searches of one scenario: a library of them is checked one by one
  const timeLimitMs = timeLimitOpt('check', values['time-limit']);
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
  const outcomes: ExpectationOutcome[] = [];
  const report: unknown[] = [];
  const rows: string[][] = [];
  let total = 0;
  let failedCount = 0;
  let undecidedCount = 0;
  for (const f of files) {
    const r = loadScenarioFile(f, cliInputLimit('scenario'));
    if (!r.scenario) {
      bad = true;
      for (const d of r.diagnostics) io.err(formatDiagnostic(d));
      report.push({ file: f, valid: false, diagnostics: r.diagnostics });
      continue;
    }
    const s = r.scenario;
    const left = deadline({ timeLimitMs });
    const cols: unknown[] = [];
    for (const col of s.columns) {
      let c;
      try {
        c = checkColumn(s, col, { ...left(), ...progress.of(`${f} [${col.label}]`) });
        progress.done();
      } catch (e) {
        if (!(e instanceof EngineRefusal)) throw e;
        io.err(e.message);
        bad = true;
        cols.push({ variant: col.label, ok: false, error: e.message, expectations: [], exploration: null });
        continue;
      }
      total += c.expectations.length;
      failedCount += c.expectations.filter((x) => !x.met && !x.undecided).length;
      undecidedCount += c.expectations.filter((x) => x.undecided).length;
      outcomes.push(...c.expectations);
      const x = c.exploration;
      cols.push({
        variant: col.label,
        ok: c.ok,
        expectations: c.expectations,
        exploration: x
          ? {
              schedules: x.schedules,
              states: x.states,
              complete: x.complete,
              timedOut: x.timedOut,
              timeMs: Math.round(x.timeMs * 100) / 100,
            }
          : null,
      });
      for (const e of c.expectations)
        rows.push([f, col.label, e.met ? 'ok' : e.undecided ? 'UNDECIDED' : 'FAILED', e.text, scopeText(e), e.met ? '' : e.detail]);
      if (c.expectations.length === 0) rows.push([f, col.label, '-', '(no expectation)', '', '']);
    }
    report.push({ file: f, title: s.title, valid: true, columns: cols });
  }
  const code = exitFor(outcomes, bad);
  if (values.json) io.out(JSON.stringify({ ok: code === EXIT_MET, scenarios: report }));
  else {
    io.out(table(['scenario', 'variant', 'status', 'expectation', 'checked on', 'detail'], rows));
    io.out('');
    io.out(
      `${files.length} scenarios, ${total} expectations, ${failedCount} failed${undecidedCount ? `, ${undecidedCount} undecided (a search stopped early)` : ''}${bad ? ', some scenarios are invalid' : ''}`,
    );
  }
  return code;
}
