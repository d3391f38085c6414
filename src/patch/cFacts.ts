// Facts of one C fragment (one side of a hunk) read off its tree-sitter syntax tree: function
// signatures (definitions, prototypes, function-pointer members and typedefs), calls, returns,
// macros, exports, comments, designated initializers (.nopage = fn) and local declarations.
// Plain data, so the rest of the analyser never touches tree-sitter objects.
import type { Node, Tree } from 'web-tree-sitter';

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

export interface FragmentFacts {
  sigs: Signature[];
  calls: CallFact[];
  returns: ReturnFact[];
  macros: MacroFact[];
  exports: ExportFact[];
  comments: CommentFact[];
  inits: InitFact[];
  decls: DeclFact[];
  /** lines holding a goto or a label (control flow the lock tracker must not trust) */
  gotoLines: number[];
  /** 1 when the fragment has syntax errors (tree-sitter recovered from them) */
  errors: number;
}

const PRIMITIVES = new Set(['int', 'char', 'void', 'long', 'short', 'unsigned', 'signed', 'float', 'double', '_Bool', 'bool']);

export function normType(t: string): string {
  return t.replace(/\s+/g, ' ').replace(/\s*\*\s*/g, ' *').replace(/\* \*/g, '**').replace(/ \*\*/g, ' **').trim().replace(/\*\s+$/, '*');
}

function squash(t: string): string {
  return t.replace(/\s+/g, ' ').trim();
}

/** Walk a declarator: pointer depth, name, and the function declarator's parameter list if any. */
function unwrapDeclarator(d: Node | null): { name: string; ptr: number; params: Node | null; fnPtr: boolean } {
  let ptr = 0;
  let params: Node | null = null;
  let fnPtr = false;
  let cur = d;
  let name = '';
  while (cur) {
    const t = cur.type;
    if (t === 'pointer_declarator' || t === 'abstract_pointer_declarator') {
      if (params) fnPtr = true;
      else ptr++;
      cur = cur.childForFieldName('declarator');
    } else if (t === 'function_declarator' || t === 'abstract_function_declarator') {
      if (!params) params = cur.childForFieldName('parameters');
      const inner: Node | null = cur.childForFieldName('declarator');
      if (inner && inner.type === 'function_declarator') {
        // a macro around the name: DRM(vm_nopage)(...)
        name = squash(inner.text);
        break;
      }
      cur = inner;
    } else if (t === 'parenthesized_declarator') {
      cur = cur.namedChildren.find((c) => c !== null && c.type !== 'comment') ?? null;
    } else if (t === 'init_declarator') {
      cur = cur.childForFieldName('declarator');
    } else if (t === 'array_declarator') {
      ptr++;
      cur = cur.childForFieldName('declarator');
    } else if (t === 'attributed_declarator') {
      cur = cur.namedChild(0);
    } else {
      name = squash(cur.text);
      break;
    }
  }
  return { name, ptr, params, fnPtr };
}

function readParams(list: Node | null): Param[] {
  const out: Param[] = [];
  if (!list) return out;
  for (const p of list.namedChildren) {
    if (!p) continue;
    if (p.type === 'variadic_parameter') { out.push({ type: '...', name: '' }); continue; }
    if (p.type !== 'parameter_declaration') continue;
    const typeNode = p.childForFieldName('type');
    const quals = p.children.filter((c) => c && (c.type === 'type_qualifier')).map((c) => c!.text).join(' ');
    const base = squash((quals ? quals + ' ' : '') + (typeNode ? typeNode.text : ''));
    const d = unwrapDeclarator(p.childForFieldName('declarator'));
    const type = normType(base + (d.ptr > 0 ? ' ' + '*'.repeat(d.ptr) : ''));
    if (type === 'void' && !d.name) continue;
    out.push({ type, name: d.name });
  }
  return out;
}

function specifiersOf(n: Node): string {
  const out: string[] = [];
  for (const c of n.children) {
    if (!c) continue;
    if (c.type === 'storage_class_specifier' || c.type === 'type_qualifier' || c.type === 'attribute_specifier' || c.type === 'ms_declspec_modifier') out.push(c.text);
  }
  return out.join(' ');
}

function typeIssues(typeNode: Node | null): string[] {
  if (!typeNode) return ['no return type'];
  if (typeNode.type === 'struct_specifier' || typeNode.type === 'union_specifier') {
    const nm = typeNode.childForFieldName('name');
    if (nm && PRIMITIVES.has(nm.text)) return [`return type '${squash(typeNode.text)}' is not a type (a struct cannot be named '${nm.text}')`];
  }
  return [];
}

function signatureOf(kind: Signature['kind'], n: Node, declarator: Node | null, container?: string): Signature | undefined {
  const d = unwrapDeclarator(declarator);
  if (!d.params || !d.name) return undefined;
  if (kind === 'member' || kind === 'typedef') {
    if (!d.fnPtr) return undefined;
  } else if (kind === 'prototype' && d.fnPtr) {
    // "struct page *(*nopage)(...);" outside its struct (a hunk that starts inside the struct body)
    kind = 'member';
  }
  const typeNode = n.childForFieldName('type');
  const ret = normType(squash(typeNode ? typeNode.text : '') + (d.ptr > 0 ? ' ' + '*'.repeat(d.ptr) : ''));
  return {
    kind,
    name: d.name,
    ret,
    params: readParams(d.params),
    specifiers: specifiersOf(n),
    container,
    line: n.startPosition.row,
    endLine: (declarator ?? n).endPosition.row,
    issues: typeIssues(typeNode),
  };
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

// ('ERROR' cannot be asked for here: web-tree-sitter has no id for it; rootNode.hasError tells instead)
const WANTED = [
  'function_definition', 'declaration', 'field_declaration', 'type_definition', 'preproc_def', 'preproc_function_def',
  'call_expression', 'return_statement', 'goto_statement', 'labeled_statement', 'comment', 'initializer_pair', 'assignment_expression',
];

/** Split "f(a, g(b, c), d)" after the callee into its top-level arguments. */
function splitArgs(t: string, open: number): string[] | undefined {
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 34 || c === 39) {
      i++;
      while (i < t.length && t.charCodeAt(i) !== c) {
        if (t.charCodeAt(i) === 92) i++;
        i++;
      }
      continue;
    }
    if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) {
      depth--;
      if (depth === 0) {
        const last = squash(t.slice(start, i));
        if (last || args.length) args.push(last);
        return args;
      }
    } else if (c === 44 && depth === 1) {
      args.push(squash(t.slice(start, i)));
      start = i + 1;
    } else if (c === 47 && t.charCodeAt(i + 1) === 42) {
      return undefined; // a comment inside: let the tree say
    }
  }
  return undefined;
}

const SIMPLE_CALLEE = /^([A-Za-z_]\w*(?:\s*(?:->|\.)\s*[A-Za-z_]\w*)*)\s*\($/;

/** Read the facts of a parsed fragment. `rows` is the fragment's own row count (rows beyond are padding). */
export function factsOf(tree: Tree, rows = Infinity): FragmentFacts {
  const facts: FragmentFacts = { sigs: [], calls: [], returns: [], macros: [], exports: [], comments: [], inits: [], decls: [], gotoLines: [], errors: 0 };
  if (tree.rootNode.hasError) facts.errors = 1;
  const nodes = tree.rootNode.descendantsOfType(WANTED);
  for (const n of nodes) {
    if (!n) continue;
    switch (n.type) {
      case 'ERROR':
        facts.errors++;
        break;
      case 'function_definition': {
        const sig = signatureOf('definition', n, n.childForFieldName('declarator'));
        const body = n.childForFieldName('body');
        if (sig && body) {
          sig.bodyStart = body.startPosition.row;
          sig.bodyEnd = body.endPosition.row;
          const last = body.lastChild;
          sig.bodyClosed = !!last && last.type === '}' && !last.isMissing && last.startPosition.row < rows;
          facts.sigs.push(sig);
        }
        break;
      }
      case 'declaration': {
        for (const d of n.childrenForFieldName('declarator')) {
          if (!d) continue;
          if (d.type === 'init_declarator') {
            const v = d.childForFieldName('value');
            const inner = unwrapDeclarator(d.childForFieldName('declarator'));
            const typeNode = n.childForFieldName('type');
            facts.decls.push({
              name: inner.name,
              type: normType(squash(typeNode ? typeNode.text : '') + (inner.ptr > 0 ? ' ' + '*'.repeat(inner.ptr) : '')),
              init: v ? squash(v.text) : '',
              line: d.startPosition.row,
            });
            continue;
          }
          if (d.type === 'identifier') {
            const typeNode = n.childForFieldName('type');
            facts.decls.push({ name: d.text, type: normType(squash(typeNode ? typeNode.text : '')), init: '', line: d.startPosition.row });
            continue;
          }
          const sig = signatureOf('prototype', n, d);
          if (sig) {
            const last = n.lastChild;
            if (!last || last.type !== ';' || last.isMissing) {
              sig.kind = 'definition';
              sig.headerOnly = true;
            }
            facts.sigs.push(sig);
          } else {
            const inner = unwrapDeclarator(d);
            const typeNode = n.childForFieldName('type');
            facts.decls.push({ name: inner.name, type: normType(squash(typeNode ? typeNode.text : '') + (inner.ptr > 0 ? ' ' + '*'.repeat(inner.ptr) : '')), init: '', line: d.startPosition.row });
          }
        }
        break;
      }
      case 'field_declaration': {
        if (n.text.indexOf('(') < 0) break;
        let container = '';
        for (let p = n.parent; p; p = p.parent) {
          if (p.type === 'struct_specifier' || p.type === 'union_specifier') {
            const nm = p.childForFieldName('name');
            container = nm ? nm.text : '';
            break;
          }
        }
        for (const d of n.childrenForFieldName('declarator')) {
          const sig = d ? signatureOf('member', n, d, container) : undefined;
          if (sig) facts.sigs.push(sig);
        }
        break;
      }
      case 'type_definition': {
        if (n.text.indexOf('(') < 0) break;
        for (const d of n.childrenForFieldName('declarator')) {
          const sig = d ? signatureOf('typedef', n, d) : undefined;
          if (sig) facts.sigs.push(sig);
        }
        break;
      }
      case 'preproc_def':
      case 'preproc_function_def': {
        const nm = n.childForFieldName('name');
        const v = n.childForFieldName('value');
        const ps = n.childForFieldName('parameters');
        if (nm) facts.macros.push({ name: nm.text, line: n.startPosition.row, value: v ? squash(v.text) : '', params: ps ? ps.text : undefined });
        break;
      }
      case 'call_expression': {
        const t = n.text;
        const open = t.indexOf('(');
        let name = '';
        let member = '';
        let args: string[] | undefined;
        const head = open > 0 ? SIMPLE_CALLEE.exec(t.slice(0, open + 1)) : null;
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
          const argList = n.childForFieldName('arguments');
          args = argList ? argList.namedChildren.filter((a) => a && a.type !== 'comment').map((a) => squash(a!.text)) : [];
        }
        const row = n.startPosition.row;
        if (/^EXPORT_SYMBOL(?:_GPL|_NS|_NS_GPL)?$/.test(name)) {
          if (args[0]) facts.exports.push({ name: args[0], macro: name, line: row });
        } else if (name) {
          facts.calls.push({ name, member, line: row, args });
        }
        break;
      }
      case 'return_statement': {
        const t = n.text;
        const expr = squash(t.replace(/^return\b/, '').replace(/;\s*$/, ''));
        facts.returns.push({ line: n.startPosition.row, expr: expr.startsWith('/*') ? '' : expr });
        break;
      }
      case 'goto_statement':
      case 'labeled_statement':
        facts.gotoLines.push(n.startPosition.row);
        break;
      case 'comment':
        facts.comments.push({ line: n.startPosition.row, endLine: n.endPosition.row, text: n.text });
        break;
      case 'initializer_pair': {
        const des = n.childForFieldName('designator');
        const v = n.childForFieldName('value');
        if (des && v && des.type === 'field_designator') {
          facts.inits.push({ member: des.text.replace(/^\./, ''), value: squash(v.text), line: n.startPosition.row });
        }
        break;
      }
      case 'assignment_expression': {
        const left = n.childForFieldName('left');
        if (left && left.type === 'field_expression') {
          const right = n.childForFieldName('right');
          const f = left.childForFieldName('field');
          if (f && right) facts.inits.push({ member: f.text, value: squash(right.text), line: n.startPosition.row });
        }
        break;
      }
      default:
        break;
    }
  }
  // document order is not guaranteed across types: keep rows ascending
  facts.calls.sort((a, b) => a.line - b.line);
  facts.returns.sort((a, b) => a.line - b.line);
  facts.sigs.sort((a, b) => a.line - b.line);
  return facts;
}
