// Facts of one C fragment (one side of a hunk) read off its tree-sitter syntax tree: function
// signatures (definitions, prototypes, function-pointer members and typedefs), calls, returns,
// macros, exports and local declarations. The tree says which spans are which construct; the text
// of each span is then read here in JS, because every node access through web-tree-sitter costs a
// trip into wasm. Plain data, so the rest of the analyser never touches tree-sitter objects.
import type { Language, Node, Tree } from 'web-tree-sitter';

import { matchingBracket } from './cScan';
import { normType } from './cTypes';
import { lineAt, lineStarts } from './lineStarts';
import { argSpans, matchingParen, openingParen } from './parens';

export interface Param {
  /** normalised type, e.g. "struct page *" */
  type: string;
  name: string;
}

export interface Signature {
  kind: 'definition' | 'prototype' | 'member' | 'typedef';
  name: string;
  /** normalised return type */
  ret: string;
  params: Param[];
  /** static, extern, inline ... */
  specifiers: string;
  /** struct name for members */
  container?: string;
  /** 0-based fragment lines */
  line: number;
  endLine: number;
  /** for definitions: the body's first and last line, and whether its closing brace is in the fragment */
  bodyStart?: number;
  bodyEnd?: number;
  bodyClosed?: boolean;
  /** problems seen in the declaration itself (e.g. "struct int") */
  issues: string[];
  /** a definition's header whose body lies outside the fragment (no ';' ends it) */
  headerOnly?: boolean;
  /** the definition macro that wrote it ("SYSCALL_DEFINE5(remap_file_pages, unsigned long, start, ...)") */
  macroForm?: string;
}

/** An object defined by a macro at file scope: DEFINE_SPINLOCK(mmlist_lock), DEFINE_PER_CPU(struct x, y). */
export interface DefineFact {
  macro: string;
  name: string;
  text: string;
  line: number;
}

export interface CallFact {
  /** callee as written: identifier, or member path for calls through pointers (vma->vm_ops->nopage) */
  name: string;
  /** last member name of a call through a pointer ("nopage"), else '' */
  member: string;
  line: number;
  args: string[];
}

export interface ReturnFact {
  line: number;
  expr: string;
}

export interface MacroFact {
  name: string;
  line: number;
  value: string;
  params?: string;
}

export interface ExportFact {
  name: string;
  macro: string;
  line: number;
}

export interface CommentFact {
  line: number;
  endLine: number;
  text: string;
}

export interface InitFact {
  member: string;
  value: string;
  line: number;
}

export interface DeclFact {
  name: string;
  type: string;
  init: string;
  line: number;
}

/** A data member of a struct or union: "atomic_t seq;", "struct page **pages;" */
export interface FieldFact {
  name: string;
  /** normalised type; arrays keep their bound ("char [16]") */
  type: string;
  /** struct or union name ('' when anonymous or unknown) */
  container: string;
  line: number;
}

export interface FragmentFacts {
  sigs: Signature[];
  calls: CallFact[];
  returns: ReturnFact[];
  macros: MacroFact[];
  exports: ExportFact[];
  comments: CommentFact[];
  inits: InitFact[];
  decls: DeclFact[];
  fields: FieldFact[];
  defines: DefineFact[];
  /** 1 when the fragment has syntax errors (tree-sitter recovered from them) */
  errors: number;
  /** the fragment was too large to parse; it has no facts */
  skipped?: boolean;
}

const PRIMITIVES = new Set(['int', 'char', 'void', 'long', 'short', 'unsigned', 'signed', 'float', 'double', '_Bool', 'bool']);
const SPECIFIERS = new Set([
  'static',
  'inline',
  'extern',
  '__inline__',
  '__inline',
  '__always_inline',
  'noinline',
  'fastcall',
  'asmlinkage',
  '__init',
  '__exit',
  '__devinit',
  '__devexit',
  'register',
  'auto',
  'const',
  'volatile',
  '__cold',
  '__must_check',
  'notrace',
]);

function squash(t: string): string {
  // most arguments and expressions are already squashed: check before building a new string
  const n = t.length;
  if (n === 0) return t;
  let prevSpace = true;
  let i = 0;
  for (; i < n; i++) {
    const c = t.charCodeAt(i);
    if (c === 32) {
      if (prevSpace) break;
      prevSpace = true;
    } else if (isSpace(c)) break;
    else prevSpace = false;
  }
  if (i === n && !prevSpace) return t;
  return t.replace(/\s+/g, ' ').trim();
}

/** Comments out, whitespace squashed. */
function clean(t: string): string {
  return squash(t.indexOf('/') >= 0 ? t.replace(/\/\*[\s\S]*?(?:\*\/|$)/g, ' ').replace(/\/\/[^\n]*/g, ' ') : t);
}

function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) depth--;
    else if (c === 44 && depth === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(s.slice(start).trim());
  return out;
}

const TYPE_WORDS = new Set(['struct', 'union', 'enum', 'const', 'volatile']);

function isIdent(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

const SPACE_RE = /\s/;
/** What \s matches (archives carry non-breaking spaces). */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || (c > 127 && SPACE_RE.test(String.fromCharCode(c)));
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** One parameter: "struct mm_struct * mm" -> {type: "struct mm_struct *", name: "mm"}. */
export function readParam(p: string): Param {
  const t = p.trim();
  if (t === '...') return { type: '...', name: '' };
  if (t.indexOf('(') >= 0) {
    // a function pointer parameter: int (*sdf)(struct page *)
    const m = /\(\s*\*\s*([A-Za-z_]\w*)\s*\)/.exec(t);
    return m ? { type: normType(t.replace(m[0], '(*)')), name: m[1] } : { type: normType(t), name: '' };
  }
  // the name is the identifier at the end (before any [] suffixes), when something precedes it
  let end = t.length;
  let arr = false;
  while (end > 0 && t.charCodeAt(end - 1) === 93 /* ] */) {
    const open = t.lastIndexOf('[', end - 1);
    if (open < 0) break;
    arr = true;
    end = open;
    while (end > 0 && t.charCodeAt(end - 1) === 32) end--;
  }
  let start = end;
  while (start > 0 && isIdent(t.charCodeAt(start - 1))) start--;
  const name = t.slice(start, end);
  const before = t.slice(0, start);
  if (
    name &&
    !isDigit(name.charCodeAt(0)) &&
    before.trim() !== '' &&
    !PRIMITIVES.has(name) &&
    !TYPE_WORDS.has(name) &&
    !/\b(struct|union|enum)\s*$/.test(before)
  ) {
    return { type: normType(before + (arr ? ' *' : '')), name };
  }
  return { type: normType(t), name: '' };
}

interface Declarator {
  name: string;
  ret: string;
  specifiers: string;
  params: Param[];
  fnPtr: boolean;
  issues: string[];
}

/** A function declarator from its text: "static struct page *DRM(vm_nopage)(struct vm_area_struct *vma, ...)". */
export function readDeclarator(textIn: string): Declarator | undefined {
  const t = clean(textIn).replace(/;\s*$/, '').trim();
  if (!t.endsWith(')')) return undefined;
  // the parameter list is the last balanced group
  const pClose = t.length - 1;
  const pOpen = openingParen(t, pClose);
  if (pOpen <= 0) return undefined;
  const paramText = t.slice(pOpen + 1, pClose).trim();
  let before = t.slice(0, pOpen).trimEnd();
  let name: string;
  let fnPtr = false;
  if (before.endsWith(')')) {
    const iOpen = openingParen(before, before.length - 1);
    if (iOpen < 0) return undefined;
    const inner = before.slice(iOpen + 1, before.length - 1).trim();
    const lead = before.slice(0, iOpen);
    if (inner.startsWith('*')) {
      // (*name): a function pointer
      fnPtr = true;
      const m = /^\*+\s*(?:const\s+)?([A-Za-z_]\w*)$/.exec(inner);
      if (!m) return undefined;
      name = m[1];
      before = lead.trimEnd();
    } else {
      // a macro around the name: DRM(vm_nopage)
      const m = /([A-Za-z_]\w*)\s*$/.exec(lead);
      if (!m) return undefined;
      name = m[1] + '(' + squash(inner) + ')';
      before = lead.slice(0, m.index).trimEnd();
    }
  } else {
    const m = /([A-Za-z_]\w*)$/.exec(before);
    if (!m) return undefined;
    name = m[1];
    before = before.slice(0, m.index).trimEnd();
  }
  if (/^(if|while|for|switch|return|sizeof|else|do)$/.test(name)) return undefined;
  // specifiers lead, the return type follows
  const words = before.split(' ');
  const spec: string[] = [];
  while (words.length > 0 && (SPECIFIERS.has(words[0]) || /^__attribute__/.test(words[0]))) spec.push(words.shift()!);
  const retText = words.join(' ');
  if (!retText && !fnPtr) return undefined;
  if (/[=;{}]/.test(retText) || /[=;{}]/.test(name)) return undefined;
  const issues: string[] = [];
  const sm = /^(?:struct|union)\s+([A-Za-z_]\w*)/.exec(retText);
  if (sm && PRIMITIVES.has(sm[1])) issues.push(`return type '${squash(retText)}' is not a type (a struct cannot be named '${sm[1]}')`);
  const params = paramText === '' || paramText === 'void' ? [] : splitTop(paramText).map(readParam);
  return { name, ret: normType(retText), specifiers: spec.join(' '), params, fnPtr, issues };
}

function toSignature(kind: Signature['kind'], d: Declarator, line: number, endLine: number, container?: string): Signature {
  return { kind, name: d.name, ret: d.ret, params: d.params, specifiers: d.specifiers, container, line, endLine, issues: d.issues };
}

function calleeName(fn: Node | null): { name: string; member: string } {
  if (!fn) return { name: '', member: '' };
  if (fn.type === 'identifier') return { name: fn.text, member: '' };
  if (fn.type === 'field_expression') {
    const f = fn.childForFieldName('field');
    return { name: squash(fn.text), member: f ? f.text : '' };
  }
  if (fn.type === 'parenthesized_expression') {
    const inner = fn.namedChild(0);
    if (inner && inner.type === 'pointer_expression') return calleeName(inner.childForFieldName('argument'));
    return calleeName(inner);
  }
  return { name: squash(fn.text), member: '' };
}

/** Offset just past the '}' closing the block opened at `open`, skipping comments and strings, or -1. */
function blockEnd(t: string, open: number): number {
  const close = matchingBracket(t, open);
  return close < 0 ? -1 : close + 1;
}

/** The '{' opening a definition's body: the first one after the declarator's parameter list. */
function bodyOpen(t: string, from: number, to: number): number {
  let depth = 0;
  for (let i = from; i < to; i++) {
    const c = t.charCodeAt(i);
    if (c === 47 && t.charCodeAt(i + 1) === 42) {
      const e = t.indexOf('*/', i + 2);
      if (e < 0 || e > to) return -1;
      i = e + 1;
    } else if (c === 40) depth++;
    else if (c === 41) depth--;
    else if (c === 123 && depth === 0) return i;
  }
  return -1;
}

// ('ERROR' cannot be asked for here: web-tree-sitter has no id for it; rootNode.hasError tells instead.)
// Comments and designated initializers come from the fragment lexer (fragments.ts), which is cheaper.
const WANTED = [
  'function_definition',
  'declaration',
  'field_declaration',
  'type_definition',
  'preproc_def',
  'preproc_function_def',
  'call_expression',
  'return_statement',
] as const;
type Wanted = (typeof WANTED)[number];

// symbol id -> wanted type name, per grammar: node.typeId is one wasm call, node.type adds a table lookup
const wantedIds = new WeakMap<Language, Map<number, Wanted>>();
function wantedOf(lang: Language): Map<number, Wanted> {
  let m = wantedIds.get(lang);
  if (!m) {
    m = new Map();
    // every symbol of that name, as descendantsOfType matches them
    const names = new Set<string>(WANTED);
    lang.types.forEach((t, id) => {
      if (names.has(t)) m!.set(id, t as Wanted);
    });
    wantedIds.set(lang, m);
  }
  return m;
}
const WANTED_LIST: string[] = [...WANTED];

/** Split "f(a, g(b, c), d)" after the callee into its top-level arguments; a comment inside leaves it
 * to the tree. */
function splitArgs(t: string, open: number): string[] | undefined {
  const r = argSpans(t, open, t.length, true);
  if (!r) return undefined;
  const args = r.spans.map(([a, b]) => squash(t.slice(a, b)));
  return args.length === 1 && args[0] === '' ? [] : args;
}

const SIMPLE_CALLEE = /^([A-Za-z_]\w*(?:\s*(?:->|\.)\s*[A-Za-z_]\w*)*)\s*\($/;

// The larger cases are functions of their own: one long factsOf kept the optimizing compiler busy.
/** A function definition's header, and where its body opens and closes. */
function readDefinition(n: Node, source: string, starts: Int32Array, rows: number, facts: FragmentFacts): void {
  const start = n.startIndex;
  const row = n.startPosition.row;
  const end = n.endIndex;
  const t = source.slice(start, end);
  // the declarator's parameter list closes before the body opens
  const firstParen = t.indexOf('(');
  if (firstParen < 0) return;
  let open = -1;
  for (let p = firstParen; p >= 0 && p < t.length;) {
    const close = matchingParen(t, p);
    if (close < 0) break;
    let next = close + 1;
    while (next < t.length && isSpace(t.charCodeAt(next))) next++;
    const ch = next < t.length ? t[next] : '';
    if (ch === '{') {
      open = next;
      break;
    }
    if (ch === '(') {
      p = next;
      continue;
    }
    open = bodyOpen(t, close + 1, t.length);
    break;
  }
  if (open < 0) return;
  const d = readDeclarator(t.slice(0, open));
  if (!d) return;
  const sig = toSignature('definition', d, row, lineAt(starts, start + open - 1));
  sig.bodyStart = lineAt(starts, start + open);
  const close = blockEnd(source, start + open);
  const closeRow = close < 0 ? Infinity : lineAt(starts, close - 1);
  sig.bodyEnd = close < 0 ? lineAt(starts, end) : closeRow;
  sig.bodyClosed = close >= 0 && closeRow < rows;
  facts.sigs.push(sig);
}

/** A call: callee, member and arguments, read from the text where it is simple, else from the tree. */
function readCall(n: Node, source: string, starts: Int32Array, rows: number, facts: FragmentFacts): void {
  const start = n.startIndex;
  const row = n.startPosition.row;
  const t = source.slice(start, n.endIndex);
  const open = t.indexOf('(');
  const head = open > 0 ? SIMPLE_CALLEE.exec(t.slice(0, open + 1)) : null;
  let name = '';
  let member = '';
  let args: string[] | undefined;
  if (head) {
    name = head[1].replace(/\s+/g, '');
    const arrow = Math.max(name.lastIndexOf('->'), name.lastIndexOf('.'));
    member = arrow >= 0 ? name.slice(arrow + (name[arrow] === '.' ? 1 : 2)) : '';
    args = splitArgs(t, open);
  }
  if (!head || !args) {
    const c = calleeName(n.childForFieldName('function'));
    name = c.name;
    member = c.member;
    const lastOpen = t.lastIndexOf('(', t.length - 1);
    const argOpen = t.endsWith(')') ? openingParen(t, t.length - 1) : lastOpen;
    args = argOpen >= 0 ? splitTop(clean(t.slice(argOpen + 1, t.length - 1))).filter((a, k, all) => a !== '' || all.length > 1) : [];
  }
  if (/^EXPORT_SYMBOL(?:_GPL|_NS|_NS_GPL)?$/.test(name)) {
    if (args[0]) facts.exports.push({ name: args[0], macro: name, line: row });
  } else if (SYSCALL_DEFINE.test(name)) {
    syscallDefinition(n, name, args, source, starts, rows, facts);
  } else if (/^DEFINE_[A-Z0-9_]+$/.test(name) && args.length > 0) {
    facts.defines.push(defineFact(name, args, row));
  } else if (name) {
    facts.calls.push({ name, member, line: row, args });
  }
}

const SYSCALL_DEFINE = /^(?:COMPAT_)?SYSCALL_DEFINE([0-6])$/;

/** SYSCALL_DEFINE5(remap_file_pages, unsigned long, start, ...) { ... }: the definition of sys_remap_file_pages. */
function syscallDefinition(
  n: Node,
  macro: string,
  args: string[],
  source: string,
  starts: Int32Array,
  rows: number,
  facts: FragmentFacts,
): void {
  const count = Number(SYSCALL_DEFINE.exec(macro)![1]);
  if (args.length < 1 + 2 * count) return;
  const params: Param[] = [];
  for (let k = 0; k < count; k++) params.push({ type: normType(args[1 + 2 * k]), name: args[2 + 2 * k] });
  const compat = macro.startsWith('COMPAT_');
  const sig: Signature = {
    kind: 'definition',
    name: (compat ? 'compat_sys_' : 'sys_') + args[0],
    ret: 'long',
    params,
    specifiers: 'asmlinkage',
    line: n.startPosition.row,
    endLine: lineAt(starts, n.endIndex - 1),
    issues: [],
    macroForm: `${macro}(${args.join(', ')})`,
  };
  let open = n.endIndex;
  while (open < source.length && isSpace(source.charCodeAt(open))) open++;
  if (source.charCodeAt(open) === 123) {
    sig.bodyStart = lineAt(starts, open);
    const close = blockEnd(source, open);
    const closeRow = close < 0 ? Infinity : lineAt(starts, close - 1);
    sig.bodyEnd = close < 0 ? lineAt(starts, source.length) : closeRow;
    sig.bodyClosed = close >= 0 && closeRow < rows;
  } else if (open >= source.length) {
    sig.headerOnly = true;
  } else {
    sig.kind = 'prototype';
  }
  facts.sigs.push(sig);
}

/** DEFINE_PER_CPU(type, name) names its object last; DEFINE_SPINLOCK(name), DEFINE_MUTEX(name) first. */
function defineFact(macro: string, args: string[], line: number): DefineFact {
  const name = /PER_CPU/.test(macro) ? args[args.length - 1] : args[0];
  return { macro, name: name.replace(/\s*=.*$/, ''), text: `${macro}(${args.join(', ')})`, line };
}

/** Facts with nothing found: the start of every reading, and what an unparsed fragment has. */
export const emptyFacts = (): FragmentFacts => ({
  sigs: [],
  calls: [],
  returns: [],
  macros: [],
  exports: [],
  comments: [],
  inits: [],
  decls: [],
  fields: [],
  defines: [],
  errors: 0,
});

/**
 * Read the facts of a parsed fragment. `source` is the text that was parsed (with the balancing
 * prefix and suffix), `rows` the fragment's own row count (rows beyond it are the suffix).
 */
export function factsOf(tree: Tree, source: string, rows = Infinity): FragmentFacts {
  const facts = emptyFacts();
  if (tree.rootNode.hasError) facts.errors = 1;
  const starts = lineStarts(source);
  const nodes = tree.rootNode.descendantsOfType(WANTED_LIST);
  const ids = wantedOf(tree.language);
  const structs: { start: number; end: number; name: string }[] = [];
  for (const n of nodes) {
    if (!n) continue;
    const type = ids.get(n.typeId);
    const start = n.startIndex;
    const row = n.startPosition.row;
    switch (type) {
      case 'function_definition': {
        readDefinition(n, source, starts, rows, facts);
        break;
      }
      case 'declaration': {
        const t = source.slice(start, n.endIndex);
        const body = clean(t);
        const def = /^(?:static\s+)?(DEFINE_[A-Z0-9_]+)\s*\((.*)\)\s*(?:=[^;]*)?;?$/.exec(body);
        if (def) {
          facts.defines.push(defineFact(def[1], splitTop(def[2]), row));
          break;
        }
        const eq = topLevelIndex(body, '=');
        const paren = topLevelIndex(body, '(');
        if (paren >= 0 && (eq < 0 || paren < eq)) {
          const d = readDeclarator(body);
          if (d) {
            const sig = toSignature(d.fnPtr ? 'member' : 'prototype', d, row, lineAt(starts, n.endIndex - 1));
            if (!d.fnPtr && !body.endsWith(';')) {
              sig.kind = 'definition';
              sig.headerOnly = true;
            }
            facts.sigs.push(sig);
            break;
          }
        }
        readLocals(body, row, facts.decls);
        break;
      }
      case 'field_declaration': {
        const t = source.slice(start, n.endIndex);
        let container = structs.find((s) => s.start <= start && s.end >= start)?.name;
        if (container === undefined) {
          for (let p = n.parent; p; p = p.parent) {
            if (p.type === 'struct_specifier' || p.type === 'union_specifier') {
              const nm = p.childForFieldName('name');
              container = nm ? nm.text : '';
              structs.push({ start: p.startIndex, end: p.endIndex, name: container });
              break;
            }
          }
        }
        if (t.indexOf('(') < 0) {
          readFields(clean(t), row, container ?? '', facts.fields);
          break;
        }
        const d = readDeclarator(t);
        if (!d || !d.fnPtr) break;
        facts.sigs.push(toSignature('member', d, row, lineAt(starts, n.endIndex - 1), container ?? ''));
        break;
      }
      case 'type_definition': {
        const t = source.slice(start, n.endIndex);
        if (t.indexOf('(') < 0) break;
        const d = readDeclarator(clean(t).replace(/^typedef\s+/, ''));
        if (d && d.fnPtr) facts.sigs.push(toSignature('typedef', d, row, lineAt(starts, n.endIndex - 1)));
        break;
      }
      case 'preproc_def':
      case 'preproc_function_def': {
        const t = source.slice(start, n.endIndex);
        const m = /^#\s*define\s+([A-Za-z_]\w*)(\([^)]*\))?[ \t]*([\s\S]*)$/.exec(t.replace(/\\\n/g, ' ').trimEnd());
        if (m) facts.macros.push({ name: m[1], line: row, value: clean(m[3]), params: m[2] });
        break;
      }
      case 'call_expression': {
        readCall(n, source, starts, rows, facts);
        break;
      }
      case 'return_statement': {
        const t = source.slice(start, n.endIndex);
        facts.returns.push({ line: row, expr: clean(t.replace(/^return\b/, '').replace(/;\s*$/, '')) });
        break;
      }
      default:
        break;
    }
  }
  // the balancing prefix sits on the fragment's first row (no newline), so rows need no shift
  facts.calls.sort((a, b) => a.line - b.line);
  facts.returns.sort((a, b) => a.line - b.line);
  facts.sigs.sort((a, b) => a.line - b.line);
  return facts;
}

/** Index of the first `ch` outside parentheses, or -1. */
function topLevelIndex(t: string, ch: string): number {
  let depth = 0;
  const code = ch.charCodeAt(0);
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === code && (depth === 0 || code === 40)) return i;
    if (c === 40 || c === 91) depth++;
    else if (c === 41 || c === 93) depth--;
  }
  return -1;
}

/** Local declarations: "struct page *page = VM_FAULT_SIGBUS;", "pte_t entry, *page_table;" */
function readLocals(body: string, row: number, out: DeclFact[]): void {
  const t = body.replace(/;\s*$/, '');
  const parts = splitTop(t);
  let base = '';
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k];
    const eq = topLevelIndex(part, '=');
    const left = (eq >= 0 ? part.slice(0, eq) : part).trim();
    const init = eq >= 0 ? squash(part.slice(eq + 1)) : '';
    if (k === 0) {
      const p = readParam(left);
      if (!p.name) return;
      base = p.type.replace(/\s*\*+$/, '');
      out.push({ name: p.name, type: p.type, init, line: row });
    } else {
      const m = /^(\**)\s*([A-Za-z_]\w*)/.exec(left);
      if (m) out.push({ name: m[2], type: normType(base + (m[1] ? ' ' + m[1] : '')), init, line: row });
    }
  }
}

/** Data members of one field declaration: "unsigned long flags, private;", "char comm[16];", "int x:3;" */
export function readFields(body: string, row: number, container: string, out: FieldFact[]): void {
  const t = body.replace(/;\s*$/, '').replace(/\s*:\s*\d+\s*$/, '');
  if (!t || /[{}]/.test(t)) return;
  const parts = splitTop(t);
  let base = '';
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k].replace(/\s*:\s*\d+\s*$/, '');
    const arr = /((?:\s*\[[^\]]*\])+)\s*$/.exec(part);
    const left = arr ? part.slice(0, arr.index) : part;
    const bound = arr ? ' ' + arr[1].replace(/\s+/g, '') : '';
    if (k === 0) {
      const p = readParam(left);
      if (!p.name) return;
      base = p.type.replace(/\s*\*+$/, '');
      out.push({ name: p.name, type: p.type + bound, container, line: row });
    } else {
      const m = /^(\**)\s*([A-Za-z_]\w*)$/.exec(left.trim());
      if (m) out.push({ name: m[2], type: normType(base + (m[1] ? ' ' + m[1] : '')) + bound, container, line: row });
    }
  }
}
