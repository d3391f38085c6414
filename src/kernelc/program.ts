// A set of kernel C functions compiled against one era's bindings: the functions are found in
// the source texts (a kernel tree's files, or a patch's post-image), parsed with tree-sitter one
// function at a time, their signatures read first so that calls between them type-check, then
// each body compiled once.

import type { Node } from 'web-tree-sitter';
import { loadCParser, type CParser } from '../patch/cParser';
import { splitFunctions } from '../patch/sourceScanner';
import type { EraBindings } from './binding';
import { FunctionCompiler, type CFunction, type CSignature, type Linker } from './compile';
import { KernelCError, type KcDiagnostic } from './diagnostic';

export interface CSource {
  /** path shown in diagnostics and trace events, e.g. "mm/memory.c" */
  file: string;
  text: string;
}

export interface KernelCProgram {
  era: EraBindings;
  fns: Map<string, CFunction>;
  diagnostics: KcDiagnostic[];
  /** where each function came from */
  origin: Map<string, { file: string; line: number; endLine: number }>;
}

export interface CompileOptions {
  /** keep going past diagnostics (the names report); default false: throw KernelCError */
  tolerant?: boolean;
}

interface Found {
  name: string;
  file: string;
  def: Node;
  lineOffset: number;
}

/** the definitions of `names` in the sources (the last definition of a name wins, like a later patch) */
function findFunctions(parser: CParser, sources: readonly CSource[], names: readonly string[] | undefined, diags: KcDiagnostic[]): Found[] {
  const want = names ? new Set(names) : undefined;
  const found = new Map<string, Found>();
  for (const src of sources) {
    const { fns } = splitFunctions(src.text);
    for (const span of fns) {
      if (want && !want.has(span.name)) continue;
      // parse from the start of the header's line so that rows and columns are the file's
      const lineStart = src.text.lastIndexOf('\n', span.headerStart - 1) + 1;
      const lineOffset = countLines(src.text, lineStart);
      const tree = parser.parse(src.text.slice(lineStart, span.bodyEnd));
      const def = tree.rootNode.namedChildren.find((c) => c?.type === 'function_definition');
      if (!def) {
        diags.push({ kind: 'parse', file: src.file, line: lineOffset + 1, column: 1, construct: span.name, message: `cannot read the definition of ${span.name}`, fn: span.name });
        continue;
      }
      found.set(span.name, { name: span.name, file: src.file, def, lineOffset });
    }
  }
  for (const n of names ?? []) {
    if (!found.has(n)) diags.push({ kind: 'missing', file: sources.map((s) => s.file).join(', ') || '(no sources)', line: 0, column: 0, construct: n, message: `no definition of ${n} in ${sources.map((s) => s.file).join(', ')}` });
  }
  return [...found.values()];
}

function countLines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** compile with a parser already loaded (what the benchmark times) */
export function compileWith(parser: CParser, era: EraBindings, sources: readonly CSource[], names?: readonly string[], opts: CompileOptions = {}): KernelCProgram {
  const diagnostics: KcDiagnostic[] = [];
  const found = findFunctions(parser, sources, names, diagnostics);
  const sigs = new Map<string, CSignature>();
  const fns = new Map<string, CFunction>();
  const linker: Linker = { signature: (n) => sigs.get(n), fn: (n) => fns.get(n) };
  for (const f of found) {
    const sig = new FunctionCompiler(era, linker, f.file, f.lineOffset, diagnostics).signature(f.def);
    if (sig) sigs.set(f.name, sig);
  }
  const origin = new Map<string, { file: string; line: number; endLine: number }>();
  for (const f of found) {
    if (!sigs.has(f.name)) continue;
    const c = new FunctionCompiler(era, linker, f.file, f.lineOffset, diagnostics).compile(f.def);
    if (c) {
      fns.set(f.name, c);
      origin.set(f.name, { file: f.file, line: c.line, endLine: c.endLine });
    }
  }
  if (!opts.tolerant && diagnostics.length > 0) throw new KernelCError(diagnostics);
  return { era, fns, diagnostics, origin };
}

export async function compileProgram(era: EraBindings, sources: readonly CSource[], names?: readonly string[], opts: CompileOptions = {}): Promise<KernelCProgram> {
  return compileWith(await loadCParser(), era, sources, names, opts);
}
