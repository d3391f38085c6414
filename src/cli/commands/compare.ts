// mmx compare FILE: the scenario under each variant column side by side (the Comparison model),
// as text, JSON or an HTML report.
import { writeFileSync } from 'node:fs';

import { comparisonHtml } from '../../scenario/comparisonHtml';
import type { Comparison } from '../../scenario/comparisonModel';
import { hex } from '../../scenario/format';
import { compareScenario } from '../../scenario/runner';
import { exitFor } from '../exitCodes';
import { expectationLines, ms, table } from '../format';
import type { Io } from '../io';
import { intOpt, loadOne, parse, pickColumns, progressOpt, scheduleOpt, SEARCH_OPTIONS, timeLimitOpt, UsageError } from '../options';

export function cmdCompare(io: Io, args: string[]): number {
  const { values, positionals } = parse('compare', args, {
    schedule: { type: 'string' },
    'no-explore': { type: 'boolean' },
    steps: { type: 'string' },
    preemptions: { type: 'string' },
    html: { type: 'string' },
    ...SEARCH_OPTIONS,
  });
  if (values.html !== undefined && values.html.trim() === '') throw new UsageError('mmx compare: --html needs a file name');
  const s = loadOne(io, 'compare', positionals);
  if (!s) return 2;
  const cols = pickColumns(s, 'compare', values.variant);
  const custom = cols.filter((c) => !s.columns.includes(c));
  const scenario = custom.length ? { ...s, columns: [...s.columns, ...custom] } : s;
  const progress = progressOpt('compare', io, values.progress, values.json);
  const { comparison, ok, checks } = compareScenario(scenario, {
    columns: cols.map((c) => c.label),
    schedule: scheduleOpt('compare', s, values.schedule),
    explore: !values['no-explore'],
    maxSteps: intOpt('compare', 'steps', values.steps, 1),
    maxPreemptions: intOpt('compare', 'preemptions', values.preemptions),
    // one limit for every search: the columns' explorations and the counterexample of the schedule
    timeLimitMs: timeLimitOpt('compare', values['time-limit']),
    ...progress.of(s.file),
  });
  progress.done();
  const code = exitFor(comparison.runs.flatMap((r) => r.expectations));
  if (values.html) {
    try {
      writeFileSync(values.html, comparisonHtml(comparison));
    } catch (e) {
      io.err(`mmx compare: cannot write ${values.html}: ${(e as Error).message}`);
      return 2;
    }
  }
  if (values.json) io.out(JSON.stringify({ ...comparison, ok }));
  else {
    printComparison(io, comparison);
    // what a search that stopped early covered
    for (const c of checks) {
      const x = c.exploration;
      if (x && !x.complete && (x.timedOut || x.cancelled))
        io.out(
          `search [${c.label}]: ${x.schedules} schedules, ${x.states} states, ${ms(x.timeMs)}, incomplete (${x.timedOut ? 'time limit' : 'cancelled'})`,
        );
    }
    if (values.html) io.out(`report written to ${values.html}`);
  }
  return code;
}

export function printComparison(io: Io, c: Comparison): void {
  io.out(`${c.title}  (${c.scenario})`);
  if (c.description) io.out(c.description.trim());
  io.out('');
  if (c.schedule) io.out(`schedule: ${c.schedule.text || '(default order)'}  [${c.schedule.source}]`);
  const labels = c.runs.map((r) => r.label);
  io.out('');
  io.out(
    table(
      ['invariant', ...labels],
      c.invariants.map((row) => [
        row.invariant,
        ...row.counts.map((n, i) => {
          const x = row.explored?.[i];
          return `${x ?? '-'}${n > 0 ? ` (${n} in this run)` : ''}`;
        }),
      ]),
    ) || '(no invariant involved)',
  );
  io.out('');
  const ops = new Map<string, string>();
  for (const r of c.runs) for (const x of r.results) ops.set(`${x.task}#${x.index}`, `${x.task}#${x.index} ${x.op}`);
  io.out(
    table(
      ['result', ...labels],
      [...ops].map(([k, name]) => [
        name,
        ...c.runs.map((r) => {
          const x = r.results.find((y) => `${y.task}#${y.index}` === k);
          return x ? x.result + (x.signal ? ` (${x.signal})` : '') : '-';
        }),
      ]),
    ),
  );
  io.out('');
  const lockRows: string[][] = [];
  const keys = new Set<string>();
  for (const r of c.runs) for (const [fn, o] of Object.entries(r.lockOps)) for (const op of Object.keys(o)) keys.add(`${fn}\u0000${op}`);
  for (const k of [...keys].sort()) {
    const [fn, op] = k.split('\u0000');
    lockRows.push([fn, op, ...c.runs.map((r) => String(r.lockOps[fn]?.[op] ?? 0))]);
  }
  if (lockRows.length) io.out(table(['function', 'lock operation', ...labels], lockRows));
  io.out('');
  for (const r of c.runs) {
    const ptes = r.snapshot.mms.flatMap((mm) =>
      mm.ptes.map(
        (p) =>
          `${mm.name}:${hex(p.addr)} ${p.kind}${p.huge ? ` huge (${p.pages} pages)` : ''}${p.pfn !== undefined ? ` pfn ${p.pfn}` : ''}${p.prot ? ` ${p.prot}` : ''}${p.pgoff !== undefined ? ` pgoff ${p.pgoff}` : ''}`,
      ),
    );
    io.out(`final ptes [${r.label}]: ${ptes.length ? ptes.join('; ') : 'none'}`);
  }
  io.out('');
  io.out(c.firstDivergence ? `first divergence: ${c.firstDivergence.summary}` : 'first divergence: none, the traces agree');
  io.out('');
  for (const r of c.runs) {
    if (!r.expectations.length) continue;
    io.out(`expect [${r.label}]:`);
    for (const l of expectationLines(r.expectations)) io.out(l);
  }
}
