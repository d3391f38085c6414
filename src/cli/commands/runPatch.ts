// mmx run-patch PATCH [--tree DIR] [--reverse] [SCENARIO...]: the patch applied at function level
// to a kernel tree, base and patched functions run by the kernel C interpreter, compared on the
// scenarios given or on the bundled ones that enter a changed function. Exit 0 when every hunk of
// a file the tree has applied, 1 when one did not, 2 for bad input.
import { existsSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';

import type { TreeReader } from '../../kernelc/patchApply';
import { loadCParser } from '../../patch/cParser';
import { bundledScenarioDir, loadScenarioFile } from '../../scenario/library';
import type { Scenario } from '../../scenario/scenario';
import { formatDiagnostic } from '../../scenario/scenarioFile';
import { table } from '../format';
import type { Io } from '../io';
import { intOpt, parse, scheduleOpt, UsageError } from '../options';
import { PatchRunError, runPatch, type PatchRunReport } from '../patchRun';
import { patchRunHtml } from '../patchRunHtml';

import { printComparison } from './compare';

/** largest tree file and patch read (bytes) */
export const MAX_INPUT_BYTES = 8 * 1024 * 1024;

/** the kernel version of a tree: its Makefile, else a linux-X.Y.Z directory name */
export function treeVersion(dir: string): string | undefined {
  try {
    const mk = readFileSync(join(dir, 'Makefile'), 'utf8').slice(0, 4096);
    const get = (k: string): string => new RegExp(`^${k}\\s*=\\s*(\\S*)`, 'm').exec(mk)?.[1] ?? '';
    if (get('VERSION') && get('PATCHLEVEL'))
      return `${get('VERSION')}.${get('PATCHLEVEL')}${get('SUBLEVEL') ? '.' + get('SUBLEVEL') : ''}${get('EXTRAVERSION')}`;
  } catch {
    /* no Makefile: try the name */
  }
  return /linux-(\d+\.\d+[\w.-]*)/.exec(basename(resolve(dir)))?.[1];
}

/** read files of a kernel tree directory, never outside it, each up to MAX_INPUT_BYTES */
export function directoryTree(dir: string, version?: string): TreeReader {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`mmx run-patch: --tree ${dir}: no such directory`);
  const root = realpathSync(dir);
  return {
    name: dir,
    version: version ?? treeVersion(dir),
    read(path: string): string | undefined {
      const p = resolve(root, path);
      if (!p.startsWith(root + sep) || !existsSync(p)) return undefined;
      const st = statSync(p);
      if (!st.isFile()) return undefined;
      if (st.size > MAX_INPUT_BYTES)
        throw new PatchRunError(`${join(dir, path)}: ${st.size} bytes, more than the ${MAX_INPUT_BYTES} read from a tree file`);
      return readFileSync(p, 'utf8');
    },
  };
}

export async function cmdRunPatch(io: Io, args: string[]): Promise<number> {
  const { values, positionals } = parse('run-patch', args, {
    tree: { type: 'string' },
    'tree-version': { type: 'string' },
    reverse: { type: 'boolean' },
    'base-from-preimage': { type: 'boolean' },
    era: { type: 'string' },
    fuzz: { type: 'string' },
    'no-explore': { type: 'boolean' },
    steps: { type: 'string' },
    preemptions: { type: 'string' },
    'time-limit': { type: 'string' },
    html: { type: 'string' },
    'wasm-dir': { type: 'string' },
    schedule: { type: 'string' },
    sources: { type: 'boolean' },
  });
  const [patch, ...scenarioPaths] = positionals;
  if (!patch) throw new UsageError('mmx run-patch: no patch given\nusage: mmx run-patch PATCH [--tree DIR] [--reverse] [SCENARIO...]');
  const treeDir = values.tree ?? process.env.MMX_KERNEL_TREE;
  if (!treeDir)
    throw new UsageError(
      'mmx run-patch: no kernel tree: give --tree DIR (or set MMX_KERNEL_TREE), the tree the patch applies to (or, with --reverse, the tree that contains it)',
    );
  let bytes: Buffer;
  try {
    if (statSync(patch).size > MAX_INPUT_BYTES) throw new UsageError(`mmx run-patch: ${patch} is larger than ${MAX_INPUT_BYTES} bytes`);
    bytes = readFileSync(patch);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`mmx run-patch: cannot read ${patch}: ${(e as Error).message}`);
  }
  const scenarios: Scenario[] = [];
  for (const f of scenarioPaths) {
    const r = loadScenarioFile(f);
    for (const d of r.diagnostics) io.err(formatDiagnostic(d));
    if (!r.scenario) return 2;
    scenarios.push(r.scenario);
  }
  if (values.schedule !== undefined && scenarios.length !== 1) throw new UsageError('mmx run-patch: --schedule needs exactly one scenario');
  const schedule = values.schedule !== undefined ? scheduleOpt('run-patch', scenarios[0], values.schedule) : undefined;
  const tree = directoryTree(treeDir, values['tree-version']);
  const parser = await loadCParser({ wasmDir: values['wasm-dir'] });
  let report: PatchRunReport;
  try {
    report = runPatch(bytes, patch, {
      parser,
      tree,
      reverse: values.reverse,
      preimageBase: values['base-from-preimage'],
      era: values.era,
      scenarios,
      scenarioDir: bundledScenarioDir(),
      maxFuzz: intOpt('run-patch', 'fuzz', values.fuzz),
      schedule,
      explore: !values['no-explore'],
      maxSteps: intOpt('run-patch', 'steps', values.steps, 1),
      maxPreemptions: intOpt('run-patch', 'preemptions', values.preemptions),
      timeLimitMs: intOpt('run-patch', 'time-limit', values['time-limit'], 1),
    });
  } catch (e) {
    if (e instanceof PatchRunError) {
      io.err(`mmx run-patch: ${e.message}`);
      return 2;
    }
    if (e instanceof Error && /unknown kernel era/.test(e.message)) throw new UsageError(`mmx run-patch: ${e.message}`);
    throw e;
  }
  if (values.html) {
    try {
      report.scenarios.forEach((s, i) => {
        const file =
          report.scenarios.length === 1
            ? values.html!
            : values.html!.replace(/(\.html?)?$/, `-${basename(s.scenario).replace(/\.mmscenario\.yaml$/, '')}$1`);
        writeFileSync(file, patchRunHtml(report, s));
        if (i === 0 && report.scenarios.length > 1) io.err(`one report per scenario: ${values.html} with the scenario name added`);
      });
    } catch (e) {
      io.err(`mmx run-patch: cannot write ${values.html}: ${(e as Error).message}`);
      return 2;
    }
  }
  // the columns' C files (what trace events point into) only when asked: the editor shows them
  if (values.json)
    io.out(JSON.stringify(values.sources ? report : { ...report, columns: report.columns.map((c) => ({ ...c, sources: undefined })) }));
  else printReport(io, report);
  const failed = report.versions.some((v) => v.files.some((f) => f.status !== 'no-base' && f.hunks.some((h) => h.status === 'failed')));
  return failed ? 1 : 0;
}

function hunkLine(h: PatchRunReport['versions'][number]['files'][number]['hunks'][number]): string {
  const where = h.functions.length ? ` in ${h.functions.join(', ')}` : '';
  if (h.status === 'failed') return `FAILED   hunk #${h.index} ${h.header} (patch line ${h.patchLine})${where}: ${h.reason}`;
  const how = [
    h.match === 'whitespace' ? 'whitespace-blind' : 'exact',
    h.fuzz ? `fuzz ${h.fuzz}` : '',
    h.offset ? `offset ${h.offset}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `applied  hunk #${h.index} ${h.header} (patch line ${h.patchLine}) at line ${h.at}${where}: ${how}`;
}

export function printReport(io: Io, r: PatchRunReport): void {
  io.out(
    `run-patch ${r.patch} on ${r.tree}${r.treeVersion ? ` (${r.treeVersion})` : ''}${r.reverse ? ', reversed: the tree is the patched side' : ''}`,
  );
  for (const p of r.problems) io.out(`problem: ${p}`);
  for (const v of r.versions) {
    io.out('');
    io.out(
      `hunks of ${v.version}${v.reconstructed ? ` (base reconstructed from ${v.tree}: lines the patch's tree did not have yet are left out)` : ''}:`,
    );
    const absent = v.files.filter((f) => f.status === 'no-base');
    for (const f of v.files) {
      if (f.status === 'no-base') continue;
      io.out(`  ${f.path}: ${f.status}`);
      for (const h of f.hunks) {
        io.out(`    ${hunkLine(h)}`);
        for (const m of h.mismatch ?? []) {
          io.out(`      line ${m.line}: patch \`${m.want}\``);
          io.out(`      ${' '.repeat(String(m.line).length + 5)}  base  \`${m.got}\``);
        }
      }
    }
    if (absent.length)
      io.out(
        `  not in the tree: ${absent.length} file(s), ${absent.reduce((n, f) => n + f.hunks.length, 0)} hunk(s): ${absent.map((f) => f.path).join(', ')}`,
      );
    for (const fn of v.functions) {
      const whys = new Map<string, string[]>();
      for (const o of [...fn.omitted].sort((a, b) => a.line - b.line))
        (whys.get(o.why) ?? whys.set(o.why, []).get(o.why)!).push(o.line === o.endLine ? `${o.line}` : `${o.line}-${o.endLine}`);
      const om = [...whys].map(([why, ls]) => `; tree lines ${ls.join(', ')} left out: ${why}`).join('');
      io.out(
        `  function ${fn.name} (${fn.file}): ${fn.base ? `base lines ${fn.base.line}-${fn.base.endLine}` : 'not in the base'}, ${fn.patched ? `patched lines ${fn.patched.line}-${fn.patched.endLine}` : 'removed'}${fn.complete ? '' : ', INCOMPLETE (a hunk failed)'}${fn.reconstructed ? ', reconstructed' : ''}${om}`,
      );
    }
  }
  io.out('');
  io.out('columns:');
  io.out(
    table(
      ['column', 'era', 'rules', 'interpreted C'],
      r.columns.map((c) => [
        c.label,
        c.era,
        c.rules,
        c.interpreted.map((f) => `${f.name} (${f.file}:${f.line}${f.reconstructed ? ', reconstructed' : ''})`).join(', ') || 'none',
      ]),
    ),
  );
  for (const c of r.columns) for (const n of c.notInterpreted) io.out(`  [${c.label}] ${n.name} stays TypeScript: ${n.why}`);
  for (const s of r.scenarios) {
    io.out('');
    io.out(`=== ${s.scenario}: ${s.verdict} (runs because ${s.why})`);
    printComparison(io, s.comparison);
    io.out(
      table(
        ['column', 'ran interpreted', 'ran TypeScript'],
        Object.keys(s.typescript).map((l) => [l, s.interpretedEntered[l].join(', ') || '-', s.typescript[l].join(', ') || '-']),
      ),
    );
    for (const run of s.comparison.runs)
      for (const v of run.exploration?.violations ?? [])
        io.out(
          `counterexample [${run.label}] ${v.invariant}: replay with mmx run-patch ${r.patch} --tree ${r.tree}${r.reverse ? ' --reverse' : ''} ${s.scenario} --schedule ${v.schedule.join(',')} --no-explore`,
        );
  }
  io.out('');
  io.out('what the run cannot see:');
  const u = r.unseen;
  if (!u.notEntered.length && !u.outside.length && !u.notObservable.length && !u.notApplied?.length && !u.notCompiled?.length)
    io.out('  nothing: every change is in an interpreted function a scenario enters');
  for (const n of u.notApplied ?? []) io.out(`  ${n.name} (${n.version}): ${n.why}`);
  for (const n of u.notCompiled ?? [])
    io.out(`  ${n.name} runs as TypeScript in ${n.columns.join(', ')}, so no scenario compares its change: ${n.why}`);
  if (u.notEntered.length) io.out(`  changed functions no scenario enters: ${u.notEntered.join(', ')}`);
  for (const n of u.notObservable) io.out(`  ${n.note}`);
  const byWhy = new Map<string, string[]>();
  for (const o of u.outside) {
    const k = o.why.startsWith('the tree') ? 'files the tree does not have' : o.why;
    (byWhy.get(k) ?? byWhy.set(k, []).get(k)!).push(`${o.file}#${o.hunk}`);
  }
  for (const [why, hs] of byWhy)
    io.out(
      `  ${hs.length} hunk(s) outside any interpreted function (${why}): ${hs.slice(0, 12).join(', ')}${hs.length > 12 ? ', ...' : ''}`,
    );
}
