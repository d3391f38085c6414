// mmx kernelc names FILE.c [FUNCTION...] --era 2.6.11 [--json]: which names a set of kernel C
// functions needs from an era's bindings and which are unbound. Exit 0 when everything is bound,
// 1 when some name is unbound or a construct is outside the subset, 2 for bad input.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadCParser } from '../../patch/cParser';
import { eraBindings, eraNames, formatDiagnostic, namesReport } from '../../kernelc/index';
import { table } from '../format';
import type { Io } from '../io';

const USAGE = `usage: mmx kernelc names FILE.c [FUNCTION...] [--era ERA] [--json]
  names   the names the functions (default: every function of FILE.c) need from the era's
          bindings, bound or not; eras: ${eraNames().join(', ')}`;

export async function runKernelc(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '-h' || sub === '--help' || rest.includes('-h') || rest.includes('--help')) {
    io.out(USAGE);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'names') {
    io.err(`mmx kernelc: unknown subcommand '${sub}'\n${USAGE}`);
    return 2;
  }
  let values: { era?: string; json?: boolean; 'wasm-dir'?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { era: { type: 'string' }, json: { type: 'boolean' }, 'wasm-dir': { type: 'string' } } }));
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
    io.out(table(['name', 'kind', 'bound', 'used by'], r.names.map((n) => [n.name, n.kind, n.bound ? (n.noop ? 'yes (no effect)' : 'yes') : 'NO', n.usedBy.map((u) => `${u.fn}:${u.line}`).join(', ')])));
    io.out(r.unbound.length ? `${r.unbound.length} unbound: ${r.unbound.join(', ')}` : 'every name is bound');
    for (const d of r.problems) io.out(formatDiagnostic(d));
  }
  return r.unbound.length === 0 && r.problems.length === 0 ? 0 : 1;
}
