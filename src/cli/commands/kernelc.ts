// mmx kernelc names FILE.c [FUNCTION...] --era 2.6.11 [--json]: which names a set of kernel C
// functions needs from an era's bindings and which are unbound. Exit 0 when everything is bound,
// 1 when some name is unbound or a construct is outside the subset, 2 for bad input.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import {
  compileWith,
  eraBindings,
  eraNames,
  formatDiagnostic,
  interpretedVariant,
  KernelCError,
  namesReport,
  registerKernelCVariant,
} from '../../kernelc/index';
import { loadCParser } from '../../patch/cParser';
import { scopeSuffix } from '../../scenario/expectations';
import { loadScenarioFile } from '../../scenario/library';
import { compareScenario } from '../../scenario/runner';
import { formatDiagnostic as formatScenarioDiagnostic } from '../../scenario/scenarioFile';
import { table } from '../format';
import type { Io } from '../io';

const USAGE = `usage: mmx kernelc names FILE.c [FUNCTION...] [--era ERA] [--json]
       mmx kernelc compare SCENARIO --tree DIR [--era ERA] [--base VARIANT] [--functions F,G] [--like LABEL] [--json]
  names    the names the functions (default: every function of FILE.c) need from the era's
           bindings, bound or not
  compare  the scenario's columns plus one running the fault path's C from the kernel tree DIR
           (default functions: handle_pte_fault,do_no_page,do_anonymous_page of mm/memory.c;
           mm/filemap.c is read too, for filemap_nopage),
           the rest of the kernel following --base (default truncate-seq); the new column
           expects what column --like expects (default: the column of the base variant)
  eras: ${eraNames().join(', ')}`;

export async function runKernelc(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '-h' || sub === '--help' || rest.includes('-h') || rest.includes('--help')) {
    io.out(USAGE);
    return sub === undefined ? 2 : 0;
  }
  if (sub === 'compare') return runCompare(rest, io);
  if (sub !== 'names') {
    io.err(`mmx kernelc: unknown subcommand '${sub}'\n${USAGE}`);
    return 2;
  }
  let values: { era?: string; json?: boolean; 'wasm-dir'?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { era: { type: 'string' }, json: { type: 'boolean' }, 'wasm-dir': { type: 'string' } },
    }));
  } catch (e) {
    io.err(`mmx kernelc names: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const [file, ...fns] = positionals;
  if (!file) {
    io.err(`mmx kernelc names: no file given\n${USAGE}`);
    return 2;
  }
  let era;
  try {
    era = eraBindings(values.era ?? '2.6.11');
  } catch (e) {
    io.err(`mmx kernelc names: ${(e as Error).message}`);
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    io.err(`mmx kernelc names: cannot read ${file}: ${(e as Error).message}`);
    return 2;
  }
  const parser = await loadCParser({ wasmDir: values['wasm-dir'] });
  const r = namesReport(parser, era, { file, text }, fns.length ? fns : undefined);
  if (values.json) io.out(JSON.stringify(r, null, 2));
  else {
    io.out(`${r.file}: ${r.functions.map((f) => f.name).join(', ') || '(no functions)'} against era ${r.era}`);
    io.out(
      table(
        ['name', 'kind', 'bound', 'used by'],
        r.names.map((n) => [
          n.name,
          n.kind,
          n.bound ? (n.noop ? 'yes (no effect)' : 'yes') : 'NO',
          n.usedBy.map((u) => `${u.fn}:${u.line}`).join(', '),
        ]),
      ),
    );
    io.out(r.unbound.length ? `${r.unbound.length} unbound: ${r.unbound.join(', ')}` : 'every name is bound');
    for (const d of r.problems) io.out(formatDiagnostic(d));
  }
  return r.unbound.length === 0 && r.problems.length === 0 ? 0 : 1;
}

const DEFAULT_FUNCTIONS = ['handle_pte_fault', 'do_no_page', 'do_anonymous_page'];

async function runCompare(argv: string[], io: Io): Promise<number> {
  let values: { tree?: string; era?: string; base?: string; functions?: string; like?: string; json?: boolean; 'wasm-dir'?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        tree: { type: 'string' },
        era: { type: 'string' },
        base: { type: 'string' },
        functions: { type: 'string' },
        like: { type: 'string' },
        json: { type: 'boolean' },
        'wasm-dir': { type: 'string' },
      },
    }));
  } catch (e) {
    io.err(`mmx kernelc compare: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (positionals.length !== 1 || !values.tree) {
    io.err(`mmx kernelc compare: one scenario and --tree DIR are needed\n${USAGE}`);
    return 2;
  }
  const loaded = loadScenarioFile(positionals[0]);
  if (!loaded.scenario) {
    for (const d of loaded.diagnostics) io.err(formatScenarioDiagnostic(d));
    return 2;
  }
  const s = loaded.scenario;
  let era;
  try {
    era = eraBindings(values.era ?? '2.6.11');
  } catch (e) {
    io.err(`mmx kernelc compare: ${(e as Error).message}`);
    return 2;
  }
  const file = join(values.tree, 'mm', 'memory.c');
  const sources: { file: string; text: string }[] = [];
  // mm/memory.c is needed; mm/filemap.c is read when present (filemap_nopage)
  for (const [path, needed] of [
    [file, true],
    [join(values.tree, 'mm', 'filemap.c'), false],
  ] as const) {
    try {
      sources.push({ file: path, text: readFileSync(path, 'utf8') });
    } catch (e) {
      if (needed) {
        io.err(`mmx kernelc compare: cannot read ${path}: ${(e as Error).message}`);
        return 2;
      }
    }
  }
  const fns = values.functions
    ? values.functions
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean)
    : DEFAULT_FUNCTIONS;
  const base = values.base ?? 'truncate-seq';
  let program;
  try {
    program = compileWith(await loadCParser({ wasmDir: values['wasm-dir'] }), era, sources, fns);
  } catch (e) {
    if (e instanceof KernelCError) {
      for (const d of e.diagnostics) io.err(formatDiagnostic(d));
      return 2;
    }
    throw e;
  }
  const label = `c:${era.era}`;
  // the column's name says what it runs: one variant per era, tree and function set
  const name = `${label}:${fns.join('+')}@${file}`;
  try {
    if (!interpretedVariant(name))
      registerKernelCVariant({
        name,
        base,
        description: `${fns.join(', ')} interpreted from ${file} (era ${era.era}); the rest of the kernel follows ${base}`,
        program,
      });
  } catch (e) {
    io.err(`mmx kernelc compare: ${(e as Error).message}`);
    return 2;
  }
  const like = values.like ?? s.columns.find((c) => c.selection.fault === base)?.label;
  if (like !== undefined && !s.expect[like] && values.like) {
    io.err(`mmx kernelc compare: no expect block for column '${like}' in ${s.file}`);
    return 2;
  }
  const scenario = {
    ...s,
    columns: [...s.columns, { label, selection: { ...(like ? s.columns.find((c) => c.label === like)?.selection : {}), fault: name } }],
    expect: like && s.expect[like] ? { ...s.expect, [label]: s.expect[like] } : s.expect,
  };
  const { comparison, checks, ok } = compareScenario(scenario, { explore: true });
  if (values.json)
    io.out(
      JSON.stringify({ ...comparison, ok, interpreted: { column: label, era: era.era, functions: fns, file, base, like: like ?? null } }),
    );
  else {
    io.out(`${s.title}: column ${label} runs ${fns.join(', ')} from ${file}${like ? `, expecting what ${like} expects` : ''}`);
    io.out(
      table(
        ['column', 'explored', 'violations', 'expectations'],
        checks.map((c) => [
          c.label,
          c.exploration ? `${c.exploration.schedules} schedules${c.exploration.complete ? '' : ' (incomplete)'}` : '-',
          c.exploration?.violations.map((v) => v.invariant).join(', ') || 'none',
          c.expectations.length ? `${c.expectations.filter((e) => e.met).length}/${c.expectations.length} met` : '-',
        ]),
      ),
    );
    for (const c of checks)
      for (const e of c.expectations) if (!e.met) io.out(`${c.label}: expected ${e.text}${scopeSuffix(e)}: ${e.detail}`);
  }
  return ok ? 0 : 1;
}
