// mmx analyze FILE [--json]: what a kernel patch (mail, thread, diff) does to an API and to the lock
// contracts of hooks. Exit 0 when the file was analysed, 2 for bad input (no file, unreadable, no diff).
import type { Analysis } from '../../patch/analysisModel';
import { analyzePatch } from '../../patch/analyze';
import { inputLimit, readInputFile, type ReadLimit } from '../../scenario/inputFile';

/** Either spelling of the output pair: the CLI's own Io ({out, err}) or plain {stdout, stderr}. */
export type AnalyzeIo = { stdout(s: string): void; stderr(s: string): void } | { out(s: string): void; err(s: string): void };

const USAGE = 'usage: mmx analyze FILE [--json] [--wasm-dir DIR]';

function writer(io: AnalyzeIo): { out(s: string): void; err(s: string): void } {
  return 'stdout' in io ? { out: (s) => io.stdout(s), err: (s) => io.stderr(s) } : io;
}

export async function runAnalyze(argv: string[], ioIn: AnalyzeIo, limit: ReadLimit = inputLimit('patch')): Promise<number> {
  const io = writer(ioIn);
  let json = false;
  let wasmDir: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') json = true;
    else if (a === '--wasm-dir') {
      wasmDir = argv[++i];
      if (!wasmDir) {
        io.err(`mmx analyze: --wasm-dir needs a directory\n${USAGE}`);
        return 2;
      }
    } else if (a === '-h' || a === '--help') {
      io.out(USAGE);
      return 0;
    } else if (a.startsWith('-')) {
      io.err(`mmx analyze: unknown option '${a}'\n${USAGE}`);
      return 2;
    } else files.push(a);
  }
  if (files.length !== 1) {
    io.err(`mmx analyze: ${files.length === 0 ? 'no file given' : 'one file at a time'}\n${USAGE}`);
    return 2;
  }
  const file = files[0];
  const read = readInputFile(file, limit);
  if (!read.ok) {
    io.err(`mmx analyze: ${file}: ${read.message}`);
    return 2;
  }
  const analysis = await analyzePatch(read.bytes, file, wasmDir ? { wasmDir } : {});
  if (json) io.out(JSON.stringify(analysis, null, 2));
  else io.out(summary(analysis));
  if (analysis.coverage.hunksSeen === 0) {
    io.err(`mmx analyze: ${file}: no diff found`);
    return 2;
  }
  return 0;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function clip(s: string | undefined, n = 110): string {
  const t = (s ?? '').replace(/\s+/g, ' ').trim();
  return t.length > n ? t.slice(0, n - 3) + '...' : t;
}

/** The human-readable report. */
export function summary(a: Analysis): string {
  const out: string[] = [];
  const cov = a.coverage;
  const pct = cov.hunksSeen ? Math.round((100 * cov.hunksRecovered) / cov.hunksSeen) : 0;
  const cParsed = cov.cSides ? `, C parsed cleanly on ${cov.cSidesClean}/${cov.cSides} hunk sides` : '';
  out.push(`${a.source}: ${a.patches.length} patch${a.patches.length === 1 ? '' : 'es'}, hunks read ${cov.hunksRecovered}/${cov.hunksSeen} (${pct}%)${cParsed}`);
  if (a.patches.length) {
    out.push('', 'patches');
    for (const p of a.patches) {
      const pos = p.index !== undefined ? ` ${p.index}/${p.total}` : '';
      out.push(`  ${pad(p.version + pos, 14)} ${clip(p.subject, 80)}  (${p.files.length} file${p.files.length === 1 ? '' : 's'}, line ${p.line})`);
      if (p.quoted) out.push(`      quoted (depth ${p.quoted.depth}) in a reply${p.quoted.author ? ' by ' + p.quoted.author : ''}${p.quoted.attribution ? `; the patch by ${p.quoted.attribution}` : ''}`);
    }
  }
  if (a.reviewComments?.length) {
    out.push('', 'review comments');
    for (const c of a.reviewComments) {
      out.push(`  ${c.file}:${c.sourceLine ?? ''} (line ${c.line})  ${clip(c.on, 70)}`);
      out.push(`      ${c.author ? c.author + ': ' : ''}${clip(c.text, 100)}`);
    }
  }
  if (a.variants.length) {
    out.push('', 'engine variants');
    for (const d of a.variantDetails ?? []) {
      out.push(`  ${pad(d.family, 8)} ${pad(d.variant, 22)} ${d.version ? `[${d.version}] ` : ''}(${d.confidence}) ${clip(d.evidence.join('; '), 100)}`);
      for (const l of d.lines.slice(0, 3)) out.push(`      ${l.file} (line ${l.line})  ${clip(l.text, 90)}`);
    }
  }
  if (a.lockContracts.length) {
    out.push('', 'lock contracts');
    for (const c of a.lockContracts) {
      out.push(`  ${c.version ? `[${c.version}] ` : ''}->${c.hook.split('.').pop()} (${c.hook}): ${c.lock} ${c.atEntry} at entry, dropped by ${c.droppedBy === 'caller' ? 'the caller' : 'each implementation'}`);
      for (const e of c.evidence.slice(0, 4)) out.push(`      ${e.file}:${e.sourceLine ?? ''} (line ${e.line})  ${clip(e.text, 90)}`);
      if (c.evidence.length > 4) out.push(`      ... ${c.evidence.length - 4} more`);
    }
  }
  if (a.apiChanges.length) {
    out.push('', 'API changes');
    for (const c of a.apiChanges) {
      const where = c.kind === 'member-signature' || c.kind === 'added-member' || c.kind === 'removed-member' || c.kind === 'member-type' ? `${c.container}.${c.name}` : c.name;
      out.push(`  ${c.version ? `[${c.version}] ` : ''}${pad(c.kind, 17)} ${where}  (${c.file}, line ${c.line})`);
      if (c.kind === 'comment' && c.before && c.after) {
        // a comment: only the lines that changed
        const b = c.before.split('\n').map((l) => l.trim());
        const a2 = c.after.split('\n').map((l) => l.trim());
        for (const l of b) if (l && !a2.includes(l)) out.push(`      - ${clip(l)}`);
        for (const l of a2) if (l && !b.includes(l)) out.push(`      + ${clip(l)}`);
        continue;
      }
      if (c.before) out.push(`      - ${clip(c.before)}`);
      if (c.after) out.push(`      + ${clip(c.after)}`);
      if (c.conversion) {
        if (c.conversion.slot) out.push(`      slot ${c.conversion.slot} (${c.conversion.table})`);
        out.push(`      returns: ${c.conversion.returnsBefore.join(' | ') || '-'}  ->  ${c.conversion.returnsAfter.join(' | ') || '-'}`);
      }
    }
  }
  if (a.implementations.length) {
    const bad = a.implementations.filter((i) => !i.consistent);
    out.push('', `hook implementations: ${a.implementations.length - bad.length} consistent, ${bad.length} not`);
    for (const i of a.implementations) {
      out.push(`  ${i.consistent ? 'ok ' : 'BAD'} ${i.version ? `[${i.version}] ` : ''}${i.function} (${i.file}, line ${i.line})`);
      for (const p of i.problems) out.push(`      ${clip(p)}`);
    }
  }
  if (a.functions.length) {
    out.push('', 'calls and locks per function');
    for (const f of a.functions.slice(0, 60)) {
      const parts = [
        f.callsAdded.length ? `+calls ${f.callsAdded.join(', ')}` : '',
        f.callsRemoved.length ? `-calls ${f.callsRemoved.join(', ')}` : '',
        f.locksAdded.length ? `+locks ${f.locksAdded.join(', ')}` : '',
        f.locksRemoved.length ? `-locks ${f.locksRemoved.join(', ')}` : '',
        f.flowAdded?.length ? `+flow ${f.flowAdded.join(', ')}` : '',
        f.flowRemoved?.length ? `-flow ${f.flowRemoved.join(', ')}` : '',
        ...(f.accessChanges ?? []).map((x) => `${x.change}: ${x.before} -> ${x.after}`),
        ...(f.localTypes ?? []).map((x) => `local ${x.before} -> ${x.after}`),
      ].filter(Boolean);
      out.push(`  ${f.version ? `[${f.version}] ` : ''}${f.file} ${f.function}${f.namedFrom ? ' (named in the description)' : ''}: ${clip(parts.join('; '), 160)}`);
    }
    if (a.functions.length > 60) out.push(`  ... ${a.functions.length - 60} more (see --json)`);
  }
  if (a.versionPairs?.length) {
    out.push('', 'versions');
    for (const v of a.versionPairs) {
      out.push(`  ${v.from} -> ${v.to}`);
      for (const p of v.pairs) {
        const files = p.files ?? [];
        const changed = files.filter((f) => f.changed).length;
        out.push(`    ${p.a ? '' : '(new) '}${p.b ? '' : '(dropped) '}${clip(p.b || p.a, 70)}: ${files.length ? `${changed}/${files.length} files differ` : p.changed ? 'changed' : 'same'}`);
        for (const f of files) if (!f.a || !f.b) out.push(`      ${f.a ? '-' : '+'} ${f.a || f.b}`);
      }
    }
  }
  const shown = a.problems.filter((p) => p.severity !== 'info');
  out.push('', `problems: ${shown.length}${a.problems.length > shown.length ? ` (+${a.problems.length - shown.length} notes)` : ''}`);
  for (const p of shown.slice(0, 30)) out.push(`  ${p.file}:${p.line}${p.column !== undefined ? ':' + p.column : ''}: ${p.severity ?? 'error'}: ${p.message}`);
  return out.join('\n');
}
