// A set of kernel C functions compiled against one era's bindings: the functions are found in
// the source texts (a kernel tree's files, or a patch's post-image), parsed with tree-sitter one
// function at a time, their signatures read first so that calls between them type-check, then
// each body compiled once.

import type { Node } from 'web-tree-sitter';

import { loadCParser, type CParser } from '../patch/cParser';
import { matchingBracket, skipLexeme } from '../patch/cScan';
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

/** one definition of `name`: "name(params)" at the start of a line (after its type), then a body */
function findDefinition(text: string, name: string): { headerStart: number; bodyEnd: number } | undefined {
  const re = new RegExp(`(^|\\n)([^\\n;{}#]*?[\\s*])?${name}\\s*\\(`, 'g');
  let found: { headerStart: number; bodyEnd: number } | undefined;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const lineStart = m.index + m[1].length;
    // a comment line (" * do_no_page() tries to ...") or a call's line is no definition
    if (m[2] && /^\s*(\*|\/)|[=(,]|\breturn\b/.test(m[2])) continue;
    const paren = m.index + m[0].length - 1;
    const close = matchingBracket(text, paren);
    if (close < 0) continue;
    let i = close + 1;
    // whitespace and comments between the parameter list and the body
    for (;;) {
      while (i < text.length && /\s/.test(text[i])) i++;
      const j = skipLexeme(text, i);
      if (j === i || text[i] === '"' || text[i] === "'") break;
      i = j;
    }
    if (text[i] !== '{') continue;
    const brace = matchingBracket(text, i);
    if (brace < 0) continue;
    const end = brace + 1;
    // the return type on the line before ("static int\ndo_no_page(")
    let headerStart = lineStart;
    const prevEnd = lineStart - 1;
    if (!m[2] && prevEnd > 0) {
      const prevStart = text.lastIndexOf('\n', prevEnd - 1) + 1;
      const prev = text.slice(prevStart, prevEnd);
      if (/^[A-Za-z_][\w\s*]*$/.test(prev)) headerStart = prevStart;
    }
    // the last definition wins, as splitFunctions does
    found = { headerStart, bodyEnd: end };
    re.lastIndex = end;
  }
  return found;
}

/** the definitions of `names` in the sources (the last definition of a name wins, like a later patch) */
function findFunctions(parser: CParser, sources: readonly CSource[], names: readonly string[] | undefined, diags: KcDiagnostic[]): Found[] {
  const found = new Map<string, Found>();
  for (const src of sources) {
    // asked-for names are found directly; without names, every function of the file
    const spans = names
      ? names.flatMap((n) => {
          const d = findDefinition(src.text, n);
          return d ? [{ name: n, ...d }] : [];
        })
      : splitFunctions(src.text).fns;
    for (const span of spans) {
      // parse from the start of the header's line so that rows and columns are the file's
      const lineStart = src.text.lastIndexOf('\n', span.headerStart - 1) + 1;
      const lineOffset = countLines(src.text, lineStart);
      const tree = parser.parse(src.text.slice(lineStart, span.bodyEnd));
      const def = tree.rootNode.namedChildren.find((c) => c?.type === 'function_definition');
      if (!def) {
        diags.push({
          kind: 'parse',
          file: src.file,
          line: lineOffset + 1,
          column: 1,
          construct: span.name,
          message: `cannot read the definition of ${span.name}`,
          fn: span.name,
        });
        continue;
      }
      found.set(span.name, { name: span.name, file: src.file, def, lineOffset });
    }
  }
  for (const n of names ?? []) {
    if (!found.has(n))
      diags.push({
        kind: 'missing',
        file: sources.map((s) => s.file).join(', ') || '(no sources)',
        line: 0,
        column: 0,
        construct: n,
        message: `no definition of ${n} in ${sources.map((s) => s.file).join(', ')}`,
      });
  }
  return [...found.values()];
}

function countLines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** compile with a parser already loaded (what the benchmark times) */
export function compileWith(
  parser: CParser,
  era: EraBindings,
  sources: readonly CSource[],
  names?: readonly string[],
  opts: CompileOptions = {},
): KernelCProgram {
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

export async function compileProgram(
  era: EraBindings,
  sources: readonly CSource[],
  names?: readonly string[],
  opts: CompileOptions = {},
): Promise<KernelCProgram> {
  return compileWith(await loadCParser(), era, sources, names, opts);
}
