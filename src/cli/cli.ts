// The mmx commands. main() returns the exit code: 0 all expectations met, 1 an expectation failed,
// 2 bad input (unknown command or option, a scenario with errors, a schedule that cannot run).
import { writeFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import pkg from '../../package.json';
import { listVariants } from '../engine/index';
import type { Machine, VariantSelection } from '../engine/spec';
import type { Comparison, ExpectationOutcome } from '../scenario/comparisonModel';
import { checkExplorationExpectations, checkRunExpectations } from '../scenario/expectations';
import { runSchedule, type ExploreOptions, type ExploreResult } from '../scenario/explorer';
import { bundledScenarioDir, loadScenarioFile, scenarioFiles } from '../scenario/library';
import { checkColumn, compareScenario, defaultSchedule, EngineRefusal, exploreOptions, machineFactory } from '../scenario/runner';
import type { Scenario, VariantColumn } from '../scenario/scenario';
import { formatDiagnostic } from '../scenario/scenarioFile';
import { describeSchedule, formatSchedule, parseSchedule, ScheduleError } from '../scenario/schedule';
import { hex, ms, selectionText, table } from './format';
import { runAnalyze } from './analyze';
import { comparisonHtml } from './html';

export interface Io {
  out(s: string): void;
  err(s: string): void;
}

const stdio: Io = {
  out: (s) => process.stdout.write(s.endsWith('\n') ? s : s + '\n'),
  err: (s) => process.stderr.write(s.endsWith('\n') ? s : s + '\n'),
};

export const USAGE = `usage: mmx <command> [options]

commands:
  run FILE        run one schedule (default order, --schedule S or --seed N) and print its trace
  explore FILE    explore all schedules up to the bounds; each violation with a minimal counterexample
  compare FILE    the scenario under each variant column, side by side (--html FILE for a report)
  check [PATH..]  check every scenario (default: the bundled library) against its expect blocks
  validate FILE.. check scenario files against the schema
  analyze PATCH   analyse a kernel patch (API deltas, lock contracts of hooks)
  variants        list the engine's variants
  scenarios       list the bundled scenarios
  version         print the version

common options:
  --variant L     a column label of the scenario, or a selection such as fault=install_new_page
                  (repeatable; default: every column)
  --json          machine-readable output (see README, section CLI)
run:      --schedule S (e.g. 0,0,1 or fault*3,dfs*2) --seed N --trace/--no-trace --steps N
explore:  --steps N --preemptions K --random N --seed S --first --no-reduction --no-shrink --time-limit MS
compare:  --schedule S --no-explore --steps N --preemptions K --html FILE`;

class UsageError extends Error {}

const COMMON = {
  json: { type: 'boolean' },
  variant: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

function parse<T extends NonNullable<ParseArgsConfig['options']>>(cmd: string, args: string[], options: T) {
  try {
    return parseArgs({ args, options: { ...COMMON, ...options }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`mmx ${cmd}: ${(e as Error).message}`);
  }
}

function intOpt(cmd: string, name: string, v: string | undefined, min = 0): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`mmx ${cmd}: --${name} expects an integer >= ${min}, got '${v}'`);
  return Number(v);
}

/** load one scenario or report its diagnostics; undefined = bad input already reported */
function loadOne(io: Io, cmd: string, files: string[]): Scenario | undefined {
  if (files.length !== 1) throw new UsageError(`mmx ${cmd}: expects exactly one scenario file`);
  const r = loadScenarioFile(files[0]);
  for (const d of r.diagnostics) io.err(formatDiagnostic(d));
  return r.scenario;
}

/** the columns asked for with --variant (labels or family=name selections) */
function pickColumns(s: Scenario, cmd: string, wanted: string[] | undefined): VariantColumn[] {
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
    return { label: w, selection: selection as VariantSelection };
  });
}

function scheduleOpt(cmd: string, s: Scenario, text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  try {
    return parseSchedule(text, s.world.tasks.map((t) => t.name));
  } catch (e) {
    throw new UsageError(`mmx ${cmd}: ${(e as Error).message}`);
  }
}

function printExpectations(io: Io, list: ExpectationOutcome[], indent = '  '): void {
  for (const x of list) io.out(`${indent}${x.met ? 'met   ' : 'FAILED'}  expect ${x.text}: ${x.detail}`);
}

// ---- run ----

function cmdRun(io: Io, args: string[]): number {
  const { values, positionals } = parse('run', args, {
    schedule: { type: 'string' },
    seed: { type: 'string' },
    steps: { type: 'string' },
    trace: { type: 'boolean' },
    'no-trace': { type: 'boolean' },
  });
  const s = loadOne(io, 'run', positionals);
  if (!s) return 2;
  const cols = pickColumns(s, 'run', values.variant);
  const given = scheduleOpt('run', s, values.schedule);
  const seed = intOpt('run', 'seed', values.seed);
  const maxSteps = intOpt('run', 'steps', values.steps, 1) ?? s.bounds.steps;
  const usesDefault = given === undefined && seed === undefined;
  const schedule = given ?? (seed === undefined ? defaultSchedule(s) : undefined);
  const showTrace = values['no-trace'] ? false : values.trace || !values.json;
  const names = s.world.tasks.map((t) => t.name);
  let failed = false;
  for (const col of cols) {
    let m: Machine;
    let sched: number[];
    let done: boolean;
    try {
      // the scenario's schedule may come from another column: where its task cannot run, go on by default
      const r = runSchedule(machineFactory(s, col.selection, true), { schedule, seed, maxSteps, lenient: given === undefined });
      m = r.machine;
      sched = r.schedule;
      done = r.done;
    } catch (e) {
      if (e instanceof ScheduleError) {
        io.err(`mmx run: ${s.file} [${col.label}]: ${e.message}`);
        return 2;
      }
      throw e;
    }
    // a violation in this run breaks a never/clean expectation; results/signals hold for the default schedule
    const ex = s.expect[col.label] ?? {};
    const expectations: ExpectationOutcome[] = [];
    const hit = new Set(m.violations.map((v) => v.invariant));
    for (const inv of ex.never ?? []) {
      const bad = inv === 'any' ? [...hit] : hit.has(inv) ? [inv] : [];
      if (bad.length) expectations.push({ text: `never: ${inv}`, met: false, detail: `violated in this run: ${bad.join(', ')}` });
    }
    if (ex.clean && hit.size) expectations.push({ text: 'clean: true', met: false, detail: `violated in this run: ${[...hit].join(', ')}` });
    if (usesDefault) expectations.push(...checkRunExpectations(ex, m));
    failed ||= expectations.some((x) => !x.met);
    if (values.json) {
      io.out(
        JSON.stringify({
          variant: col.label,
          selection: col.selection,
          schedule: sched,
          done,
          violations: m.violations,
          results: m.results,
          expectations,
          ...(showTrace ? { trace: m.trace } : {}),
        }),
      );
      continue;
    }
    io.out(`${s.title} [${col.label} ${selectionText(col.selection as Record<string, string>)}]`);
    const full = sched.length <= 60 ? `${formatSchedule(sched)}  ` : '';
    io.out(`schedule: ${full}(${describeSchedule(sched, names)}, ${sched.length} steps)${done ? '' : '  -- tasks did not finish'}`);
    if (showTrace)
      io.out(
        table(
          ['step', 'task', 'kind', 'function', 'detail', 'locks held'],
          m.trace.map((t) => [String(t.step), names[t.task] ?? '-', t.kind, t.fn, t.detail, t.locks.join(', ')]),
        ),
      );
    io.out('results:');
    io.out(table(null, m.results.map((r) => [`  ${r.task}#${r.index}`, r.op, r.result + (r.signal ? ` (${r.signal})` : '')])) || '  (none)');
    if (m.violations.length === 0) io.out('violations: none');
    else {
      io.out('violations:');
      for (const v of m.violations) io.out(`  ${v.invariant} at step ${v.step}${v.task ? ` (${v.task}${v.fn ? `, ${v.fn}` : ''})` : ''}: ${v.message}`);
    }
    printExpectations(io, expectations);
    io.out('');
  }
  return failed ? 1 : 0;
}

// ---- explore ----

function exploreJson(label: string, sel: VariantSelection, x: ExploreResult, names: string[], expectations: ExpectationOutcome[]) {
  return {
    variant: label,
    selection: sel,
    schedules: x.schedules,
    states: x.states,
    steps: x.steps,
    timeMs: Math.round(x.timeMs * 100) / 100,
    complete: x.complete,
    preemptionBounded: x.preemptionBounded,
    cancelled: x.cancelled,
    firstViolationMs: x.firstViolationMs === undefined ? null : Math.round(x.firstViolationMs * 100) / 100,
    violations: x.violations.map((v) => ({
      invariant: v.invariant,
      message: v.message,
      schedule: v.schedule,
      scheduleText: describeSchedule(v.schedule, names),
      preemptions: v.preemptions,
      step: v.violation.step,
      task: v.violation.task ?? null,
      fn: v.violation.fn ?? null,
    })),
    expectations,
    ok: expectations.every((e) => e.met),
  };
}

function cmdExplore(io: Io, args: string[]): number {
  const { values, positionals } = parse('explore', args, {
    steps: { type: 'string' },
    preemptions: { type: 'string' },
    random: { type: 'string' },
    seed: { type: 'string' },
    first: { type: 'boolean' },
    'no-reduction': { type: 'boolean' },
    'no-shrink': { type: 'boolean' },
    'time-limit': { type: 'string' },
  });
  const s = loadOne(io, 'explore', positionals);
  if (!s) return 2;
  const cols = pickColumns(s, 'explore', values.variant);
  const runs = intOpt('explore', 'random', values.random, 1);
  const seed = intOpt('explore', 'seed', values.seed) ?? 1;
  if (values.seed !== undefined && runs === undefined) throw new UsageError('mmx explore: --seed goes with --random N');
  const opts: ExploreOptions = exploreOptions(s, {
    maxSteps: intOpt('explore', 'steps', values.steps, 1),
    maxPreemptions: intOpt('explore', 'preemptions', values.preemptions),
    random: runs === undefined ? undefined : { runs, seed },
    stopAtFirst: values.first,
    reduction: values['no-reduction'] ? 'none' : 'state',
    shrink: !values['no-shrink'],
    timeLimitMs: intOpt('explore', 'time-limit', values['time-limit'], 1),
    // a live count on a terminal; nothing when the output goes to a file or a program
    onProgress: io === stdio && process.stderr.isTTY && !values.json ? (p) => process.stderr.write(`\r  ${p.schedules} schedules, ${p.states} states, ${Math.round(p.elapsedMs)} ms `) : undefined,
    progressIntervalMs: 200,
  });
  const names = s.world.tasks.map((t) => t.name);
  let failed = false;
  for (const col of cols) {
    const c = checkColumn(s, col, { ...opts, explore: 'always' });
    if (opts.onProgress) process.stderr.write('\r\x1b[K');
    const x = c.exploration!;
    const expectations = checkExplorationExpectations(s.expect[col.label] ?? {}, x);
    failed ||= expectations.some((e) => !e.met);
    if (values.json) {
      io.out(JSON.stringify(exploreJson(col.label, col.selection, x, names, expectations)));
      continue;
    }
    const status = x.cancelled
      ? 'cancelled'
      : x.complete
        ? x.preemptionBounded
          ? `complete up to ${opts.maxPreemptions} preemptions`
          : 'complete'
        : x.timedOut
          ? 'incomplete (time limit)'
          : opts.random
            ? `incomplete (${opts.random.runs} random runs, seed ${opts.random.seed})`
            : 'incomplete';
    io.out(`${col.label} ${selectionText(col.selection as Record<string, string>)}: ${x.schedules} schedules, ${x.states} states, ${ms(x.timeMs)}, ${status}`);
    if (x.violations.length === 0) io.out('  no violation');
    for (const v of x.violations) {
      const where = [v.violation.task, v.violation.fn].filter(Boolean).join(' in ');
      const held = v.violation.locksHeld.length ? `, holding ${v.violation.locksHeld.join(', ')}` : '';
      io.out(`  VIOLATION ${v.invariant} at step ${v.violation.step}${where ? ` (${where}${held})` : ''}: ${v.message}`);
      io.out(`    counterexample (${v.preemptions} preemption${v.preemptions === 1 ? '' : 's'}): ${describeSchedule(v.schedule, names) || '(default order)'}`);
      io.out(`    replay: mmx run ${s.file} --variant ${col.label} --schedule ${formatSchedule(v.schedule) || '""'}`);
    }
    printExpectations(io, expectations);
  }
  return failed ? 1 : 0;
}

// ---- compare ----

function printComparison(io: Io, c: Comparison): void {
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
      mm.ptes.map((p) => `${mm.name}:${hex(p.addr)} ${p.kind}${p.pfn !== undefined ? ` pfn ${p.pfn}` : ''}${p.prot ? ` ${p.prot}` : ''}${p.pgoff !== undefined ? ` pgoff ${p.pgoff}` : ''}`),
    );
    io.out(`final ptes [${r.label}]: ${ptes.length ? ptes.join('; ') : 'none'}`);
  }
  io.out('');
  io.out(c.firstDivergence ? `first divergence: ${c.firstDivergence.summary}` : 'first divergence: none, the traces agree');
  io.out('');
  for (const r of c.runs) {
    if (!r.expectations.length) continue;
    io.out(`expect [${r.label}]:`);
    printExpectations(io, r.expectations);
  }
}

function cmdCompare(io: Io, args: string[]): number {
  const { values, positionals } = parse('compare', args, {
    schedule: { type: 'string' },
    'no-explore': { type: 'boolean' },
    steps: { type: 'string' },
    preemptions: { type: 'string' },
    html: { type: 'string' },
  });
  const s = loadOne(io, 'compare', positionals);
  if (!s) return 2;
  const cols = pickColumns(s, 'compare', values.variant);
  const custom = cols.filter((c) => !s.columns.includes(c));
  const scenario = custom.length ? { ...s, columns: [...s.columns, ...custom] } : s;
  const { comparison, ok } = compareScenario(scenario, {
    columns: cols.map((c) => c.label),
    schedule: scheduleOpt('compare', s, values.schedule),
    explore: !values['no-explore'],
    maxSteps: intOpt('compare', 'steps', values.steps, 1),
    maxPreemptions: intOpt('compare', 'preemptions', values.preemptions),
  });
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
    if (values.html) io.out(`report written to ${values.html}`);
  }
  return ok ? 0 : 1;
}

// ---- check ----

function cmdCheck(io: Io, args: string[]): number {
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

// ---- validate, variants, scenarios ----

function cmdValidate(io: Io, args: string[]): number {
  const { values, positionals } = parse('validate', args, {});
  if (positionals.length === 0) throw new UsageError('mmx validate: expects scenario files or directories');
  const files = scenarioFiles(positionals);
  let bad = false;
  const report: unknown[] = [];
  for (const f of files) {
    const r = loadScenarioFile(f);
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

function cmdVariants(io: Io, args: string[]): number {
  const { values, positionals } = parse('variants', args, {});
  if (positionals.length) throw new UsageError(`mmx variants: unexpected argument '${positionals[0]}'`);
  const vs = listVariants();
  if (values.json) io.out(JSON.stringify(vs));
  else {
    io.out(table(['family', 'variant', 'seed', 'base', 'description'], vs.map((v) => [v.family, v.name, v.seed, v.base ? 'base' : '', v.description])));
    // which era (and source file) each kernel function follows under each variant
    const rows: string[][] = [];
    for (const v of vs) for (const [fn, era] of Object.entries(v.eras)) rows.push([`${v.family}/${v.name}`, fn, era]);
    if (rows.length) {
      io.out('');
      io.out(table(['variant', 'kernel function', 'era and source'], rows));
    }
  }
  return 0;
}

function cmdScenarios(io: Io, args: string[]): number {
  const { values, positionals } = parse('scenarios', args, {});
  const dir = positionals[0] ?? bundledScenarioDir();
  if (!dir) {
    io.err('mmx scenarios: no bundled scenarios found (set MMX_SCENARIOS or pass a directory)');
    return 2;
  }
  const list: { file: string; title: string; variants: string[]; description: string; valid: boolean }[] = [];
  for (const f of scenarioFiles([dir])) {
    const r = loadScenarioFile(f);
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

async function cmdAnalyze(io: Io, args: string[]): Promise<number> {
  return runAnalyze(args, io);
}

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd !== 'analyze' && (rest.includes('--help') || rest.includes('-h'))) {
      io.out(USAGE);
      return 0;
    }
    switch (cmd) {
      case 'version':
        if (rest.length > 0) throw new UsageError(`mmx version: unexpected argument '${rest[0]}'`);
        io.out(`mmx ${pkg.version}`);
        return 0;
      case 'run':
        return cmdRun(io, rest);
      case 'explore':
        return cmdExplore(io, rest);
      case 'compare':
        return cmdCompare(io, rest);
      case 'check':
        return cmdCheck(io, rest);
      case 'validate':
        return cmdValidate(io, rest);
      case 'variants':
        return cmdVariants(io, rest);
      case 'scenarios':
        return cmdScenarios(io, rest);
      case 'analyze':
        return await cmdAnalyze(io, rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return 0;
      default:
        throw new UsageError(`mmx: unknown command '${cmd}'\n${USAGE}`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof EngineRefusal) {
      io.err(e.message);
      return 2;
    }
    throw e;
  }
}
