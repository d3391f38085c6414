// Compiles one kernel C function from its tree-sitter tree, once, to an instruction list with
// jumps (goto, if/else, loops, switch) over a frame of slots. Expressions become closures; a
// closure is a generator only where an interleaving point can occur inside it (a primitive that
// announces a step, a call of another interpreted function, a hook call), so most of the fault
// path runs as plain calls. Anything outside the subset is a located diagnostic.

import type { Node } from 'web-tree-sitter';

import type { Step } from '../engine/sim/step';

import { HookPtr, type EraBindings, type FieldBinding, type FnBinding } from './binding';
import { arithType, INT, intTypeOf, opaque, pointee, ptr, struct, typeText, UINT, VOID, wrapInt, type CType } from './cType';
import type { DiagnosticKind, KcDiagnostic } from './diagnostic';
import { Frame, LocalRef, stackOf } from './frame';

export const enum Op {
  Eval = 0,
  JumpIfFalse = 1,
  JumpIfTrue = 2,
  Jump = 3,
  Return = 4,
}

type Sync = (f: Frame) => unknown;
type Gen = (f: Frame) => Generator<Step, unknown, void>;

export interface Ins {
  op: Op;
  /** "mm/memory.c:1873" */
  loc: string;
  sync: Sync | null;
  gen: Gen | null;
  target: number;
}

export interface CFunction {
  name: string;
  file: string;
  /** first line of the definition in the file */
  line: number;
  endLine: number;
  params: { name: string; type: CType }[];
  ret: CType;
  slotNames: string[];
  slotTypes: CType[];
  slotInit: unknown[];
  code: Ins[];
  /** every name the function uses, with what it resolved to (for the names report) */
  uses: Map<string, NameUse>;
  /** the other functions of its program */
  linker: Linker;
  era: EraBindings;
  /** "mm/memory.c:1851" */
  defLoc: string;
}

export interface NameUse {
  kind: 'function' | 'field' | 'constant' | 'type' | 'hook' | 'interpreted' | 'deref';
  bound: boolean;
  noop?: boolean;
  line: number;
}

/** The function's signature, read before any body is compiled so calls between them type-check. */
export interface CSignature {
  name: string;
  ret: CType;
  params: { name: string; type: CType }[];
}

/** Looks up the interpreted functions by name at run time (they may be compiled after the caller). */
export interface Linker {
  signature(name: string): CSignature | undefined;
  fn(name: string): CFunction | undefined;
}

interface Ex {
  type: CType;
  sync: Sync | null;
  gen: Gen | null;
}

interface Scope {
  names: Map<string, number>;
  parent: Scope | null;
}

/** the type of an unbound name's value: reported once, no cascade of type errors after it */
const UNKNOWN: CType = opaque('?');

const NULLISH = (v: unknown): boolean => v === null || v === undefined || v === 0;
export const truthy = (v: unknown): boolean => v !== 0 && v !== null && v !== undefined && v !== false;
const cEq = (a: unknown, b: unknown): boolean => a === b || (NULLISH(a) && NULLISH(b));

function asGen(e: Ex): Gen {
  if (e.gen) return e.gen;
  const s = e.sync!;
  return function* (f) {
    return s(f);
  };
}

export class FunctionCompiler {
  private readonly code: Ins[] = [];
  private readonly slotNames: string[] = [];
  private readonly slotTypes: CType[] = [];
  private scope: Scope = { names: new Map(), parent: null };
  private readonly labels = new Map<string, number>();
  private readonly gotos: { ins: Ins; label: string; node: Node }[] = [];
  private readonly breaks: Ins[][] = [];
  private readonly continues: Ins[][] = [];
  readonly uses = new Map<string, NameUse>();
  private name = '';
  private retType: CType = INT;

  constructor(
    private readonly era: EraBindings,
    private readonly linker: Linker,
    private readonly file: string,
    /** lines before the parsed text in the file */
    private readonly lineOffset: number,
    private readonly diags: KcDiagnostic[],
  ) {}

  // ---- diagnostics ----
  private line(n: Node): number {
    return n.startPosition.row + 1 + this.lineOffset;
  }
  private loc(n: Node): string {
    return `${this.file}:${this.line(n)}`;
  }
  private diag(kind: DiagnosticKind, n: Node, construct: string, message: string): void {
    this.diags.push({
      kind,
      file: this.file,
      line: this.line(n),
      column: n.startPosition.column + 1,
      construct,
      message,
      fn: this.name || undefined,
    });
  }
  private unsupported(n: Node, what = n.type): Ex {
    this.diag('unsupported', n, what, `${what} is outside the interpreted subset: \`${n.text.replace(/\s+/g, ' ').slice(0, 60)}\``);
    return { type: INT, sync: () => 0, gen: null };
  }
  private use(name: string, u: NameUse): void {
    if (!this.uses.has(name)) this.uses.set(name, u);
  }

  // ---- types ----
  /** the type a specifier node names (primitive, sized, struct, typedef) */
  typeOfSpecifier(n: Node): CType | undefined {
    switch (n.type) {
      case 'primitive_type':
      case 'sized_type_specifier': {
        if (n.text === 'void') return VOID;
        const t = intTypeOf(n.text.split(/\s+/));
        if (!t) this.diag('unsupported', n, 'type', `type \`${n.text}\` is outside the interpreted subset`);
        return t;
      }
      case 'struct_specifier':
      case 'union_specifier': {
        const name = n.childForFieldName('name')?.text;
        if (!name) {
          this.unsupported(n, 'anonymous struct');
          return undefined;
        }
        return struct(name);
      }
      case 'type_identifier': {
        const t = this.era.typedefs[n.text];
        this.use(n.text, { kind: 'type', bound: !!t, line: this.line(n) });
        if (!t) this.diag('unbound', n, n.text, `type \`${n.text}\` has no binding in era ${this.era.era}`);
        return t;
      }
      default:
        this.unsupported(n, n.type);
        return undefined;
    }
  }

  /** walk a declarator: pointers wrap the base type; returns the declared name */
  declarator(n: Node | null, base: CType): { name: string; type: CType; node: Node; params?: Node } | undefined {
    let t = base;
    let d = n;
    while (d) {
      switch (d.type) {
        case 'identifier':
        case 'field_identifier':
          return { name: d.text, type: t, node: d };
        case 'pointer_declarator':
        case 'abstract_pointer_declarator':
          t = ptr(t);
          d = d.childForFieldName('declarator');
          if (!d) return { name: '', type: t, node: n! };
          break;
        case 'parenthesized_declarator':
          d = d.namedChildren.find((c) => c !== null && c.type !== 'comment') ?? null;
          break;
        case 'function_declarator': {
          const inner = this.declarator(d.childForFieldName('declarator'), t);
          return inner && { ...inner, params: d.childForFieldName('parameters') ?? undefined };
        }
        case 'init_declarator':
          d = d.childForFieldName('declarator');
          break;
        default:
          this.unsupported(d, d.type);
          return undefined;
      }
    }
    return { name: '', type: t, node: n! };
  }

  /** the type of a type_descriptor (casts) */
  private typeDescriptor(n: Node): CType | undefined {
    const spec = n.childForFieldName('type');
    if (!spec) return undefined;
    const base = this.typeOfSpecifier(spec);
    if (!base) return undefined;
    const d = n.childForFieldName('declarator');
    return d ? this.declarator(d, base)?.type : base;
  }

  /** the signature of a function_definition node */
  signature(def: Node): CSignature | undefined {
    const spec = def.childForFieldName('type');
    const base = spec && this.typeOfSpecifier(spec);
    const d = base && this.declarator(def.childForFieldName('declarator'), base);
    if (!d || !d.params) return undefined;
    const params: { name: string; type: CType }[] = [];
    for (const p of d.params.namedChildren) {
      if (!p || p.type === 'comment') continue;
      if (p.type !== 'parameter_declaration') {
        this.unsupported(p, p.type === 'variadic_parameter' ? 'variadic parameter' : p.type);
        continue;
      }
      const ps = p.childForFieldName('type');
      const pb = ps && this.typeOfSpecifier(ps);
      if (!pb) continue;
      if (pb.k === 'void' && !p.childForFieldName('declarator')) continue;
      const pd = this.declarator(p.childForFieldName('declarator'), pb);
      if (pd) params.push({ name: pd.name, type: pd.type });
    }
    return { name: d.name, ret: d.type, params };
  }

  // ---- slots and scopes ----
  private declare(name: string, type: CType): number {
    const i = this.slotNames.length;
    this.slotNames.push(name);
    this.slotTypes.push(type);
    this.scope.names.set(name, i);
    return i;
  }
  private lookup(name: string): number {
    for (let s: Scope | null = this.scope; s; s = s.parent) {
      const i = s.names.get(name);
      if (i !== undefined) return i;
    }
    return -1;
  }

  // ---- instructions ----
  private emit(op: Op, n: Node, e: Ex | null, target = -1): Ins {
    const ins: Ins = { op, loc: this.loc(n), sync: e?.sync ?? null, gen: e?.gen ?? null, target };
    this.code.push(ins);
    return ins;
  }

  compile(def: Node): CFunction | undefined {
    const sig = this.signature(def);
    if (!sig) {
      this.diag('parse', def, 'function_definition', 'cannot read the function header');
      return undefined;
    }
    this.name = sig.name;
    this.retType = sig.ret;
    for (const p of sig.params) this.declare(p.name, p.type);
    const body = def.childForFieldName('body');
    if (!body) return undefined;
    this.statement(body);
    // falling off the end returns (void functions; others return garbage in C: 0 here)
    this.emit(Op.Return, body.lastChild ?? body, null);
    for (const g of this.gotos) {
      const pc = this.labels.get(g.label);
      if (pc === undefined) this.diag('parse', g.node, 'goto', `goto ${g.label}: no such label in ${this.name}`);
      else g.ins.target = pc;
    }
    return {
      name: sig.name,
      file: this.file,
      line: this.line(def),
      endLine: def.endPosition.row + 1 + this.lineOffset,
      params: sig.params,
      ret: sig.ret,
      slotNames: this.slotNames,
      slotTypes: this.slotTypes,
      slotInit: this.slotTypes.map((t) => (t.k === 'int' ? 0 : null)),
      code: this.code,
      uses: this.uses,
      linker: this.linker,
      era: this.era,
      defLoc: `${this.file}:${this.line(def)}`,
    };
  }

  // ---- statements ----
  private statement(n: Node): void {
    switch (n.type) {
      case 'comment':
      case ';':
        return;
      case 'compound_statement': {
        this.scope = { names: new Map(), parent: this.scope };
        for (const c of n.namedChildren) if (c) this.statement(c);
        this.scope = this.scope.parent!;
        return;
      }
      case 'declaration':
        return this.declaration(n);
      case 'expression_statement': {
        const e = n.namedChildren.find((c) => c !== null && c.type !== 'comment');
        if (!e) return;
        this.emit(Op.Eval, n, this.expr(e));
        return;
      }
      case 'if_statement': {
        const cond = this.expr(n.childForFieldName('condition')!);
        const jf = this.emit(Op.JumpIfFalse, n, cond);
        this.statement(n.childForFieldName('consequence')!);
        const alt = n.childForFieldName('alternative');
        if (alt) {
          const jend = this.emit(Op.Jump, n, null);
          jf.target = this.code.length;
          const s = alt.type === 'else_clause' ? alt.namedChildren.find((c) => c !== null && c.type !== 'comment') : alt;
          if (s) this.statement(s);
          jend.target = this.code.length;
        } else jf.target = this.code.length;
        return;
      }
      case 'goto_statement': {
        const ins = this.emit(Op.Jump, n, null);
        this.gotos.push({ ins, label: n.childForFieldName('label')!.text, node: n });
        return;
      }
      case 'labeled_statement': {
        const label = n.childForFieldName('label')!.text;
        if (this.labels.has(label)) this.diag('parse', n, 'label', `label ${label} defined twice`);
        this.labels.set(label, this.code.length);
        for (const c of n.namedChildren) if (c && c.type !== 'statement_identifier') this.statement(c);
        return;
      }
      case 'return_statement': {
        const v = n.namedChildren.find((c) => c !== null && c.type !== 'comment');
        const e = v ? this.convertTo(this.expr(v), this.retType) : null;
        this.emit(Op.Return, n, e);
        return;
      }
      case 'while_statement': {
        const top = this.code.length;
        const jf = this.emit(Op.JumpIfFalse, n, this.expr(n.childForFieldName('condition')!));
        this.loopBody(n.childForFieldName('body')!, top, () => {
          this.emit(Op.Jump, n, null, top);
          jf.target = this.code.length;
        });
        return;
      }
      case 'do_statement': {
        const top = this.code.length;
        this.loopBody(n.childForFieldName('body')!, null, () => {
          this.emit(Op.JumpIfTrue, n, this.expr(n.childForFieldName('condition')!), top);
        });
        return;
      }
      case 'for_statement': {
        this.scope = { names: new Map(), parent: this.scope };
        const init = n.childForFieldName('initializer');
        if (init) {
          if (init.type === 'declaration') this.declaration(init);
          else this.emit(Op.Eval, init, this.expr(init));
        }
        const top = this.code.length;
        const cond = n.childForFieldName('condition');
        const jf = cond ? this.emit(Op.JumpIfFalse, n, this.expr(cond)) : null;
        const update = n.childForFieldName('update');
        this.loopBody(n.childForFieldName('body')!, null, () => {
          if (update) this.emit(Op.Eval, update, this.expr(update));
          this.emit(Op.Jump, n, null, top);
          if (jf) jf.target = this.code.length;
        });
        this.scope = this.scope.parent!;
        return;
      }
      case 'break_statement': {
        const b = this.breaks[this.breaks.length - 1];
        if (!b) this.diag('parse', n, 'break', 'break outside a loop or switch');
        else b.push(this.emit(Op.Jump, n, null));
        return;
      }
      case 'continue_statement': {
        const c = this.continues[this.continues.length - 1];
        if (!c) this.diag('parse', n, 'continue', 'continue outside a loop');
        else c.push(this.emit(Op.Jump, n, null));
        return;
      }
      case 'switch_statement':
        return this.switchStatement(n);
      case 'ERROR':
        this.diag('parse', n, 'ERROR', `the C parser could not read \`${n.text.replace(/\s+/g, ' ').slice(0, 60)}\``);
        return;
      default:
        this.unsupported(n);
    }
  }

  /** a loop body with its break and continue targets; `continueAt` null: the code right after the body */
  private loopBody(body: Node, continueAt: number | null, close: () => void): void {
    const brk: Ins[] = [];
    const cont: Ins[] = [];
    this.breaks.push(brk);
    this.continues.push(cont);
    this.statement(body);
    this.breaks.pop();
    this.continues.pop();
    const at = continueAt ?? this.code.length;
    for (const c of cont) c.target = at;
    close();
    for (const b of brk) b.target = this.code.length;
  }

  private switchStatement(n: Node): void {
    const cond = this.expr(n.childForFieldName('condition')!);
    const tmp = this.declare(`switch@${this.line(n)}`, cond.type);
    this.emit(Op.Eval, n, this.storeSlot(tmp, cond));
    const body = n.childForFieldName('body')!;
    const items = body.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
    // tree-sitter hands out a new node object per access: cases are told apart by id
    const jumps: { ins: Ins; id: number }[] = [];
    let dflt = -1;
    for (const c of items) {
      if (c.type !== 'case_statement') continue;
      const v = c.childForFieldName('value');
      if (!v) {
        dflt = c.id;
        continue;
      }
      const vs = this.expr(v).sync;
      if (!vs) {
        this.unsupported(v, 'case value with a call');
        continue;
      }
      jumps.push({ ins: this.emit(Op.JumpIfTrue, c, { type: INT, sync: (f) => cEq(f.slots[tmp], vs(f)), gen: null }), id: c.id });
    }
    const toDefault = this.emit(Op.Jump, n, null);
    const brk: Ins[] = [];
    this.breaks.push(brk);
    const starts = new Map<number, number>();
    for (const c of items) {
      if (c.type !== 'case_statement') {
        this.statement(c);
        continue;
      }
      starts.set(c.id, this.code.length);
      const valueId = c.childForFieldName('value')?.id;
      for (const s of c.namedChildren) if (s && s.id !== valueId && s.type !== 'comment') this.statement(s);
    }
    this.breaks.pop();
    const end = this.code.length;
    for (const j of jumps) j.ins.target = starts.get(j.id) ?? end;
    toDefault.target = dflt >= 0 ? (starts.get(dflt) ?? end) : end;
    for (const b of brk) b.target = end;
  }

  private declaration(n: Node): void {
    const spec = n.childForFieldName('type');
    if (!spec) return;
    // an unbound type is reported once; its variables still exist (opaque), so uses do not cascade
    const base = this.typeOfSpecifier(spec) ?? opaque(spec.text);
    for (const d of n.childrenForFieldName('declarator')) {
      if (!d) continue;
      const dd = this.declarator(d, base);
      if (!dd) continue;
      if (dd.params) {
        this.unsupported(d, 'local function declaration');
        continue;
      }
      if (dd.type.k === 'struct' && !this.era.structs[dd.type.name] && !this.era.typedefs[dd.type.name]) {
        this.diag('unbound', d, `struct ${dd.type.name}`, `struct ${dd.type.name} has no binding in era ${this.era.era}`);
      }
      const slot = this.declare(dd.name, dd.type);
      const init = d.type === 'init_declarator' ? d.childForFieldName('value') : null;
      if (init) {
        if (init.type === 'initializer_list') {
          this.unsupported(init, 'initializer list');
          continue;
        }
        this.emit(Op.Eval, d, this.storeSlot(slot, this.convertTo(this.expr(init), dd.type)));
      } else {
        // a block-scope variable without initializer starts anew each time its block is entered
        const z = dd.type.k === 'int' ? 0 : null;
        this.emit(Op.Eval, d, { type: VOID, sync: (f) => (f.slots[slot] = z), gen: null });
      }
    }
  }

  private storeSlot(slot: number, e: Ex): Ex {
    const s = e.sync;
    if (s) return { type: e.type, sync: (f) => (f.slots[slot] = s(f)), gen: null };
    const g = e.gen!;
    return {
      type: e.type,
      sync: null,
      gen: function* (f) {
        const v = yield* g(f);
        f.slots[slot] = v;
        return v;
      },
    };
  }

  /** implicit conversion on assignment, argument passing and return: integers wrap to the target width */
  private convertTo(e: Ex, t: CType): Ex {
    if (t.k !== 'int') return e;
    if (e.type.k === 'int' && e.type.bits === t.bits && e.type.signed === t.signed) return e;
    return this.map(e, t, (v) => (typeof v === 'number' ? wrapInt(v, t) : truthy(v) ? 1 : 0));
  }

  private map(e: Ex, type: CType, fn: (v: unknown) => unknown): Ex {
    const s = e.sync;
    if (s) return { type, sync: (f) => fn(s(f)), gen: null };
    const g = e.gen!;
    return {
      type,
      sync: null,
      gen: function* (f) {
        return fn(yield* g(f));
      },
    };
  }

  private map2(a: Ex, b: Ex, type: CType, fn: (x: unknown, y: unknown) => unknown): Ex {
    const sa = a.sync;
    const sb = b.sync;
    if (sa && sb) return { type, sync: (f) => fn(sa(f), sb(f)), gen: null };
    const ga = asGen(a);
    const gb = asGen(b);
    return {
      type,
      sync: null,
      gen: function* (f) {
        const x = yield* ga(f);
        const y = yield* gb(f);
        return fn(x, y);
      },
    };
  }

  // ---- expressions ----
  expr(n: Node): Ex {
    switch (n.type) {
      case 'parenthesized_expression': {
        const inner = n.namedChildren.find((c) => c !== null && c.type !== 'comment');
        return inner ? this.expr(inner) : this.unsupported(n);
      }
      case 'number_literal':
        return this.number(n);
      case 'char_literal': {
        const m = /^'(\\?.)'$/.exec(n.text);
        const ch = m
          ? m[1].length === 2
            ? (({ n: 10, t: 9, '0': 0 } as Record<string, number>)[m[1][1]] ?? m[1].charCodeAt(1))
            : m[1].charCodeAt(0)
          : 0;
        return { type: INT, sync: () => ch, gen: null };
      }
      case 'string_literal':
      case 'concatenated_string': {
        const s = n.text;
        return { type: ptr(INT), sync: () => s, gen: null };
      }
      case 'null':
        return { type: ptr(VOID), sync: () => null, gen: null };
      case 'true':
        return { type: INT, sync: () => 1, gen: null };
      case 'false':
        return { type: INT, sync: () => 0, gen: null };
      case 'identifier':
        return this.identifier(n);
      case 'field_expression':
        return this.fieldRead(n);
      case 'call_expression':
        return this.call(n);
      case 'pointer_expression':
        return n.childForFieldName('operator')!.text === '&' ? this.addressOf(n) : this.deref(n);
      case 'unary_expression':
        return this.unary(n);
      case 'binary_expression':
        return this.binary(n);
      case 'assignment_expression':
        return this.assignment(n);
      case 'update_expression':
        return this.update(n);
      case 'cast_expression': {
        const t = this.typeDescriptor(n.childForFieldName('type')!);
        const v = this.expr(n.childForFieldName('value')!);
        if (!t) return v;
        if (t.k === 'int') return this.map(v, t, (x) => (typeof x === 'number' ? wrapInt(x, t) : truthy(x) ? 1 : 0));
        return this.map(v, t, (x) => (x === 0 ? null : x));
      }
      case 'conditional_expression': {
        const c = this.expr(n.childForFieldName('condition')!);
        const a = this.expr(n.childForFieldName('consequence')!);
        const b = this.expr(n.childForFieldName('alternative')!);
        const type = a.type.k === 'int' && b.type.k === 'int' ? arithType(a.type, b.type) : a.type;
        if (c.sync && a.sync && b.sync) {
          const [sc, sa, sb] = [c.sync, a.sync, b.sync];
          return { type, sync: (f) => (truthy(sc(f)) ? sa(f) : sb(f)), gen: null };
        }
        const [gc, ga, gb] = [asGen(c), asGen(a), asGen(b)];
        return {
          type,
          sync: null,
          gen: function* (f) {
            return truthy(yield* gc(f)) ? yield* ga(f) : yield* gb(f);
          },
        };
      }
      case 'comma_expression': {
        const a = this.expr(n.childForFieldName('left')!);
        const b = this.expr(n.childForFieldName('right')!);
        return this.map2(a, b, b.type, (_x, y) => y);
      }
      case 'ERROR':
        this.diag('parse', n, 'ERROR', `the C parser could not read \`${n.text.replace(/\s+/g, ' ').slice(0, 60)}\``);
        return { type: INT, sync: () => 0, gen: null };
      default:
        return this.unsupported(n);
    }
  }

  private number(n: Node): Ex {
    const text = n.text;
    const m = /^(-?)\s*(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)([uUlL]*)$/.exec(text);
    if (!m) return this.unsupported(n, 'number literal');
    const neg = m[1] === '-';
    const digits = m[2];
    const mag =
      digits.startsWith('0x') || digits.startsWith('0X')
        ? parseInt(digits.slice(2), 16)
        : digits.length > 1 && digits[0] === '0'
          ? parseInt(digits, 8)
          : parseInt(digits, 10);
    const suffix = m[3].toLowerCase();
    const longs = (suffix.match(/l/g) ?? []).length;
    const unsigned = suffix.includes('u') || (mag > 0x7fffffff && mag <= 0xffffffff);
    const type: CType = { k: 'int', bits: longs >= 2 || mag > 0xffffffff ? 64 : 32, signed: !unsigned };
    // a negated literal: C negates in the literal's type
    const v = neg ? wrapInt(-mag, type) : mag;
    return { type, sync: () => v, gen: null };
  }

  private identifier(n: Node): Ex {
    const name = n.text;
    const slot = this.lookup(name);
    if (slot >= 0) {
      const type = this.slotTypes[slot];
      return { type, sync: (f) => f.slots[slot], gen: null };
    }
    const c = this.era.constants[name];
    this.use(name, { kind: 'constant', bound: !!c, line: this.line(n) });
    if (c) {
      const v = c.value;
      const get = c.get;
      if (get) return { type: c.type, sync: (f) => get(f), gen: null };
      return { type: c.type, sync: () => v, gen: null };
    }
    this.diag('unbound', n, name, `\`${name}\` is neither a local of ${this.name} nor a constant of era ${this.era.era}`);
    return { type: UNKNOWN, sync: () => 0, gen: null };
  }

  /** the struct whose field `n` names, and the binding */
  private fieldOf(n: Node): { obj: Ex; field: string; b: FieldBinding | undefined; structName: string | undefined } {
    const objNode = n.childForFieldName('argument')!;
    const arrow = n.childForFieldName('operator')!.text === '->';
    const field = n.childForFieldName('field')!.text;
    const obj = this.expr(objNode);
    const sname = arrow ? pointee(obj.type) : obj.type.k === 'struct' ? obj.type.name : undefined;
    if (obj.type === UNKNOWN) return { obj, field, b: undefined, structName: undefined };
    if (!sname) {
      this.diag(
        'type',
        n,
        field,
        `\`${objNode.text}${arrow ? '->' : '.'}${field}\`: \`${objNode.text}\` has type ${typeText(obj.type)}, not ${arrow ? 'a pointer to a struct' : 'a struct'}`,
      );
      return { obj, field, b: undefined, structName: undefined };
    }
    const b = this.era.structs[sname]?.[field];
    this.use(`${sname}.${field}`, { kind: b?.type.k === 'fnptr' ? 'hook' : 'field', bound: !!b, line: this.line(n) });
    if (!b) this.diag('unbound', n, `${sname}.${field}`, `field \`${field}\` of struct ${sname} has no binding in era ${this.era.era}`);
    return { obj, field, b, structName: sname };
  }

  private nullCheck(n: Node): (f: Frame, o: unknown) => void {
    const where = `${this.loc(n)}: \`${n.text.replace(/\s+/g, ' ')}\``;
    const objText = n.childForFieldName('argument')?.text ?? n.text;
    return (f, o) => {
      if (NULLISH(o)) f.t.oops(`NULL pointer dereference in ${f.fn.name} at ${where} (${objText} is NULL)`);
    };
  }

  private fieldRead(n: Node): Ex {
    const { obj, field, b, structName } = this.fieldOf(n);
    if (!b) return { type: UNKNOWN, sync: () => 0, gen: null };
    const get = b.get as unknown as ((o: unknown, c: Frame) => unknown) | undefined;
    if (!get) {
      this.diag(
        'unsupported',
        n,
        `${structName}.${field}`,
        `field \`${field}\` of struct ${structName} cannot be read (only its address is bound)`,
      );
      return { type: INT, sync: () => 0, gen: null };
    }
    const check = this.nullCheck(n);
    const loc = this.loc(n);
    const text = n.text;
    const announce = b.announceRead as unknown as ((c: Frame, o: unknown) => boolean) | undefined;
    const so = obj.sync;
    if (!announce && so) {
      return {
        type: b.type,
        sync: (f) => {
          const o = so(f);
          check(f, o);
          return get(o, f);
        },
        gen: null,
      };
    }
    const go = asGen(obj);
    return {
      type: b.type,
      sync: null,
      gen: function* (f) {
        const o = yield* go(f);
        check(f, o);
        if (announce) {
          f.loc = loc;
          f.text = text;
          if (announce(f, o)) yield f.t.step;
        }
        return get(o, f);
      },
    };
  }

  private addressOf(n: Node): Ex {
    const arg = n.childForFieldName('argument')!;
    if (arg.type === 'identifier') {
      const slot = this.lookup(arg.text);
      if (slot < 0) return this.unsupported(n, `address of \`${arg.text}\``);
      return { type: ptr(this.slotTypes[slot]), sync: (f) => new LocalRef(f, slot), gen: null };
    }
    if (arg.type === 'field_expression') {
      const { obj, field, b, structName } = this.fieldOf(arg);
      if (!b) return { type: INT, sync: () => null, gen: null };
      const addr = b.addr as unknown as ((o: unknown) => unknown) | undefined;
      if (!addr) {
        this.diag('unsupported', n, `&${structName}.${field}`, `the address of field \`${field}\` of struct ${structName} is not bound`);
        return { type: INT, sync: () => null, gen: null };
      }
      const check = this.nullCheck(arg);
      const type = ptr(b.type);
      const so = obj.sync;
      if (so)
        return {
          type,
          sync: (f) => {
            const o = so(f);
            check(f, o);
            return addr(o);
          },
          gen: null,
        };
      return this.map(obj, type, (o) => addr(o));
    }
    return this.unsupported(n, 'address-of expression');
  }

  private deref(n: Node): Ex {
    const arg = n.childForFieldName('argument')!;
    const p = this.expr(arg);
    const to = p.type.k === 'ptr' ? p.type.to : undefined;
    const tname = to && (to.k === 'struct' || to.k === 'opaque') ? to.name : undefined;
    const b = tname ? this.era.functions[`*${tname}`] : undefined;
    if (tname) this.use(`*${tname}`, { kind: 'deref', bound: !!b, line: this.line(n) });
    if (b) return this.callBinding(n, `*${tname}`, b, [p]);
    if (to && to.k === 'int') {
      // an out-parameter: *type = VM_FAULT_MAJOR, *ptl
      const where = `${this.loc(n)}: \`${n.text}\``;
      const read = (f: Frame, r: unknown): unknown =>
        r instanceof LocalRef ? r.get() : f.t.oops(`bad pointer dereference in ${f.fn.name} at ${where}`);
      const ps = p.sync;
      if (ps) return { type: to, sync: (f) => read(f, ps(f)), gen: null };
      const pg = p.gen!;
      return {
        type: to,
        sync: null,
        gen: function* (f) {
          return read(f, yield* pg(f));
        },
      };
    }
    this.diag(
      'unbound',
      n,
      `*${tname ?? typeText(to ?? INT)}`,
      `dereferencing a ${typeText(p.type)} has no binding in era ${this.era.era}`,
    );
    return { type: INT, sync: () => 0, gen: null };
  }

  private unary(n: Node): Ex {
    const op = n.childForFieldName('operator')!.text;
    const a = this.expr(n.childForFieldName('argument')!);
    switch (op) {
      case '!':
        return this.map(a, INT, (v) => (truthy(v) ? 0 : 1));
      case '-': {
        const t = arithType(a.type, INT);
        return this.map(a, t, (v) => wrapInt(-(v as number), t));
      }
      case '~': {
        const t = arithType(a.type, INT);
        return this.map(a, t, (v) => wrapInt(~(v as number), t));
      }
      case '+':
        return a;
      default:
        return this.unsupported(n, `unary ${op}`);
    }
  }

  private binary(n: Node): Ex {
    const op = n.childForFieldName('operator')!.text;
    const a = this.expr(n.childForFieldName('left')!);
    const b = this.expr(n.childForFieldName('right')!);
    if (op === '&&' || op === '||') {
      const and = op === '&&';
      if (a.sync && b.sync) {
        const [sa, sb] = [a.sync, b.sync];
        return {
          type: INT,
          sync: and ? (f) => (truthy(sa(f)) && truthy(sb(f)) ? 1 : 0) : (f) => (truthy(sa(f)) || truthy(sb(f)) ? 1 : 0),
          gen: null,
        };
      }
      const [ga, gb] = [asGen(a), asGen(b)];
      return {
        type: INT,
        sync: null,
        gen: function* (f) {
          const x = truthy(yield* ga(f));
          if (and ? !x : x) return and ? 0 : 1;
          return truthy(yield* gb(f)) ? 1 : 0;
        },
      };
    }
    if (op === '==' || op === '!=') {
      const ne = op === '!=';
      if (a.type.k === 'int' && b.type.k === 'int') {
        const t = arithType(a.type, b.type);
        return this.map2(a, b, INT, (x, y) => ((wrapInt(x as number, t) === wrapInt(y as number, t)) !== ne ? 1 : 0));
      }
      return this.map2(a, b, INT, (x, y) => (cEq(x, y) !== ne ? 1 : 0));
    }
    const t = arithType(a.type, b.type);
    const bits = { k: 'int', bits: t.bits, signed: t.signed } as const;
    const w = (x: unknown): number => wrapInt(x as number, bits);
    const lhsT = arithType(a.type, INT);
    switch (op) {
      case '<':
        return this.map2(a, b, INT, (x, y) => (w(x) < w(y) ? 1 : 0));
      case '>':
        return this.map2(a, b, INT, (x, y) => (w(x) > w(y) ? 1 : 0));
      case '<=':
        return this.map2(a, b, INT, (x, y) => (w(x) <= w(y) ? 1 : 0));
      case '>=':
        return this.map2(a, b, INT, (x, y) => (w(x) >= w(y) ? 1 : 0));
      case '+':
        return this.map2(a, b, t, (x, y) => w((x as number) + (y as number)));
      case '-':
        return this.map2(a, b, t, (x, y) => w((x as number) - (y as number)));
      case '*':
        return this.map2(a, b, t, (x, y) => w(t.bits === 32 ? Math.imul(x as number, y as number) : (x as number) * (y as number)));
      case '/':
      case '%': {
        const where = this.loc(n);
        const div = op === '/';
        return this.map2(a, b, t, (x, y) => {
          const d = w(y);
          if (d === 0) throw new Error(`divide error at ${where}`);
          return w(div ? Math.trunc(w(x) / d) : w(x) % d);
        });
      }
      case '&':
        return this.map2(a, b, t, (x, y) => w((x as number) & (y as number)));
      case '|':
        return this.map2(a, b, t, (x, y) => w((x as number) | (y as number)));
      case '^':
        return this.map2(a, b, t, (x, y) => w((x as number) ^ (y as number)));
      case '<<':
        if (lhsT.bits === 64) return this.map2(a, b, lhsT, (x, y) => (x as number) * 2 ** (y as number));
        return this.map2(a, b, lhsT, (x, y) => wrapInt((x as number) << (y as number), lhsT));
      case '>>':
        if (lhsT.bits === 64) return this.map2(a, b, lhsT, (x, y) => Math.floor((x as number) / 2 ** (y as number)));
        return this.map2(a, b, lhsT, (x, y) =>
          wrapInt(lhsT.signed ? (x as number) >> (y as number) : (x as number) >>> (y as number), lhsT),
        );
      default:
        return this.unsupported(n, `operator ${op}`);
    }
  }

  /** an assignable place: its type, a reader and a writer */
  private place(n: Node): { type: CType; read: Ex; write: (value: Ex) => Ex } | undefined {
    if (n.type === 'parenthesized_expression') {
      const inner = n.namedChildren.find((c) => c !== null && c.type !== 'comment');
      return inner ? this.place(inner) : undefined;
    }
    if (n.type === 'identifier') {
      const slot = this.lookup(n.text);
      if (slot < 0) {
        this.diag('unsupported', n, 'assignment', `assignment to \`${n.text}\`, which is not a local of ${this.name}`);
        return undefined;
      }
      const type = this.slotTypes[slot];
      return { type, read: { type, sync: (f) => f.slots[slot], gen: null }, write: (v) => this.storeSlot(slot, this.convertTo(v, type)) };
    }
    if (n.type === 'field_expression') {
      const { obj, field, b, structName } = this.fieldOf(n);
      if (!b) return undefined;
      const get = b.get as unknown as ((o: unknown, c: Frame) => unknown) | undefined;
      const set = b.set as unknown as ((o: unknown, v: unknown, c: Frame) => void) | undefined;
      if (!set || !get) {
        this.diag('unsupported', n, `${structName}.${field}`, `field \`${field}\` of struct ${structName} cannot be written`);
        return undefined;
      }
      const objSync = obj.sync;
      if (!objSync) {
        this.unsupported(n, 'assignment through a call');
        return undefined;
      }
      const check = this.nullCheck(n);
      const loc = this.loc(n);
      const text = n.text;
      const read: Ex = {
        type: b.type,
        sync: (f) => {
          const o = objSync(f);
          check(f, o);
          return get(o, f);
        },
        gen: null,
      };
      const doSet = (f: Frame, x: unknown): unknown => {
        const o = objSync(f);
        check(f, o);
        f.loc = loc;
        f.text = text;
        set(o, x, f);
        return x;
      };
      const write = (v: Ex): Ex => {
        const cv = this.convertTo(v, b.type);
        const sv = cv.sync;
        if (sv) return { type: b.type, sync: (f) => doSet(f, sv(f)), gen: null };
        const gv = cv.gen!;
        return {
          type: b.type,
          sync: null,
          gen: function* (f) {
            return doSet(f, yield* gv(f));
          },
        };
      };
      return { type: b.type, read, write };
    }
    if (n.type === 'pointer_expression' && n.childForFieldName('operator')!.text === '*') {
      const p = this.expr(n.childForFieldName('argument')!);
      const to = p.type.k === 'ptr' ? p.type.to : INT;
      const ps = p.sync;
      if (!ps || to.k === 'struct') {
        this.unsupported(n, `assignment through \`${n.text}\``);
        return undefined;
      }
      const check = this.nullCheck(n);
      const read: Ex = {
        type: to,
        sync: (f) => {
          const r = ps(f);
          check(f, r);
          return (r as LocalRef).get();
        },
        gen: null,
      };
      const write = (v: Ex): Ex => {
        const cv = this.convertTo(v, to);
        const sv = cv.sync;
        const doSet = (f: Frame, x: unknown): unknown => {
          const r = ps(f);
          check(f, r);
          (r as LocalRef).set(x);
          return x;
        };
        if (sv) return { type: to, sync: (f) => doSet(f, sv(f)), gen: null };
        const gv = cv.gen!;
        return {
          type: to,
          sync: null,
          gen: function* (f) {
            return doSet(f, yield* gv(f));
          },
        };
      };
      return { type: to, read, write };
    }
    this.unsupported(n, 'assignment target');
    return undefined;
  }

  private assignment(n: Node): Ex {
    const op = n.childForFieldName('operator')!.text;
    const pl = this.place(n.childForFieldName('left')!);
    const rhs = this.expr(n.childForFieldName('right')!);
    if (!pl) return rhs;
    if (op === '=') return pl.write(rhs);
    const binop = op.slice(0, -1);
    const t = arithType(pl.type, rhs.type);
    const w = (x: number): number => wrapInt(x, t);
    const f2: Record<string, (x: number, y: number) => number> = {
      '+': (x, y) => w(x + y),
      '-': (x, y) => w(x - y),
      '&': (x, y) => w(x & y),
      '|': (x, y) => w(x | y),
      '^': (x, y) => w(x ^ y),
      '<<': (x, y) => w(x << y),
      '>>': (x, y) => w(t.signed ? x >> y : x >>> y),
      '*': (x, y) => w(Math.imul(x, y)),
    };
    const fn = f2[binop];
    if (!fn) return this.unsupported(n, `operator ${op}`);
    return pl.write(this.map2(pl.read, rhs, t, (x, y) => fn(x as number, y as number)));
  }

  private update(n: Node): Ex {
    const op = n.childForFieldName('operator')!.text;
    const arg = n.childForFieldName('argument')!;
    const prefix = n.firstChild?.text === op;
    const pl = this.place(arg);
    if (!pl) return { type: INT, sync: () => 0, gen: null };
    const d = op === '++' ? 1 : -1;
    const read = pl.read.sync!;
    const t = pl.type;
    const write = pl.write({
      type: t,
      sync: t.k === 'int' ? (f) => wrapInt((read(f) as number) + d, t) : (f) => (read(f) as number) + d,
      gen: null,
    });
    const ws = write.sync;
    if (!ws) return this.unsupported(n, 'update through a call');
    if (prefix) return { type: pl.type, sync: ws, gen: null };
    return {
      type: pl.type,
      sync: (f) => {
        const old = read(f);
        ws(f);
        return old;
      },
      gen: null,
    };
  }

  // ---- calls ----
  private call(n: Node): Ex {
    const fnNode = n.childForFieldName('function')!;
    const argNodes = (n.childForFieldName('arguments')?.namedChildren ?? []).filter((c): c is Node => c !== null && c.type !== 'comment');
    if (fnNode.type === 'identifier') {
      const name = fnNode.text;
      // another interpreted function
      const sig = this.linker.signature(name);
      if (sig) {
        this.use(name, { kind: 'interpreted', bound: true, line: this.line(n) });
        return this.callInterpreted(n, sig, argNodes);
      }
      const b = this.era.functions[name];
      this.use(name, { kind: 'function', bound: !!b, noop: b?.noop, line: this.line(n) });
      if (!b) {
        this.diag('unbound', fnNode, name, `\`${name}\` has no binding in era ${this.era.era} and is not among the interpreted functions`);
        for (const a of argNodes) this.expr(a);
        return { type: UNKNOWN, sync: () => 0, gen: null };
      }
      const args: Ex[] = argNodes.map((a, i) => (b.tokens?.includes(i) ? this.token(a) : this.expr(a)));
      return this.callBinding(n, name, b, args);
    }
    if (fnNode.type === 'field_expression') return this.callHook(n, fnNode, argNodes);
    if (fnNode.type === 'parenthesized_expression') {
      const inner = fnNode.namedChildren.find((c) => c !== null && c.type !== 'comment');
      if (inner?.type === 'pointer_expression' && inner.childForFieldName('argument')?.type === 'field_expression')
        return this.callHook(n, inner.childForFieldName('argument')!, argNodes);
    }
    return this.unsupported(n, 'call through an expression');
  }

  private token(n: Node): Ex {
    const s = n.text;
    return { type: INT, sync: () => s, gen: null };
  }

  /** evaluate argument closures left to right into a fresh array */
  private argsOf(args: Ex[]): { sync: ((f: Frame) => unknown[]) | null; gen: (f: Frame) => Generator<Step, unknown[], void> } {
    const ss = args.map((a) => a.sync);
    if (ss.every((s) => s !== null)) {
      const s = ss;
      let sync: (f: Frame) => unknown[];
      switch (s.length) {
        case 0:
          sync = () => [];
          break;
        case 1:
          sync = (f) => [s[0](f)];
          break;
        case 2:
          sync = (f) => [s[0](f), s[1](f)];
          break;
        case 3:
          sync = (f) => [s[0](f), s[1](f), s[2](f)];
          break;
        default:
          sync = (f) => s.map((x) => x(f));
      }
      return {
        sync,
        gen: function* (f) {
          return sync(f);
        },
      };
    }
    const gs = args.map(asGen);
    return {
      sync: null,
      gen: function* (f) {
        const out: unknown[] = [];
        for (const g of gs) out.push(yield* g(f));
        return out;
      },
    };
  }

  private callBinding(n: Node, name: string, b: FnBinding, args: Ex[]): Ex {
    const A = this.argsOf(args);
    const loc = this.loc(n);
    const text = n.text.replace(/\s+/g, ' ');
    const run = b.run as ((c: Frame, a: unknown[]) => unknown) | undefined;
    const gen = b.gen as ((c: Frame, a: unknown[]) => Generator<Step, unknown, void>) | undefined;
    if (!run && !gen) return this.unsupported(n, `binding of ${name} without an implementation`);
    if (run && A.sync) {
      const as = A.sync;
      return {
        type: b.ret,
        sync: (f) => {
          const a = as(f);
          f.loc = loc;
          f.text = text;
          return run(f, a);
        },
        gen: null,
      };
    }
    const ag = A.gen;
    return {
      type: b.ret,
      sync: null,
      gen: function* (f) {
        const a = yield* ag(f);
        f.loc = loc;
        f.text = text;
        return run ? run(f, a) : yield* gen!(f, a);
      },
    };
  }

  private callInterpreted(n: Node, sig: CSignature, argNodes: Node[]): Ex {
    if (argNodes.length !== sig.params.length)
      this.diag('type', n, sig.name, `${sig.name} takes ${sig.params.length} arguments, called with ${argNodes.length}`);
    const args = argNodes.map((a, i) => (sig.params[i] ? this.convertTo(this.expr(a), sig.params[i].type) : this.expr(a)));
    const A = this.argsOf(args);
    const linker = this.linker;
    const name = sig.name;
    const era = this.era;
    const ag = A.gen;
    return {
      type: sig.ret,
      sync: null,
      gen: function* (f) {
        const a = yield* ag(f);
        const callee = linker.fn(name)!;
        return yield* runFunction(callee, f.t, a, era);
      },
    };
  }

  private callHook(n: Node, member: Node, argNodes: Node[]): Ex {
    const { obj, field, b, structName } = this.fieldOf(member);
    const args = argNodes.map((a) => this.expr(a));
    if (!b) return { type: INT, sync: () => 0, gen: null };
    if (b.type.k !== 'fnptr')
      return this.unsupported(n, `call of field \`${field}\` of struct ${structName}, which is not a function pointer`);
    const hookName = b.type.hook;
    const hook = this.era.hooks[hookName];
    this.use(hookName, { kind: 'hook', bound: !!hook, line: this.line(n) });
    if (!hook) {
      this.diag('unbound', member, hookName, `calls through ${hookName} have no binding in era ${this.era.era}`);
      return { type: INT, sync: () => 0, gen: null };
    }
    const get = b.get as unknown as (o: unknown, c: Frame) => unknown;
    const check = this.nullCheck(member);
    const go = asGen(obj);
    const A = this.argsOf(args);
    const loc = this.loc(n);
    const text = n.text.replace(/\s+/g, ' ');
    const where = `${loc}: \`${member.text}\``;
    return {
      type: b.type.ret,
      sync: null,
      gen: function* (f) {
        const o = yield* go(f);
        check(f, o);
        const target = get(o, f);
        if (!(target instanceof HookPtr)) f.t.oops(`NULL pointer dereference in ${f.fn.name} at ${where}: calling a NULL function pointer`);
        const a = yield* A.gen(f);
        f.loc = loc;
        f.text = text;
        return yield* hook.call(f, target, a);
      },
    };
  }
}

/** Run an interpreted function in task `t`: a new frame on the task's C stack. */
export function* runFunction(
  fn: CFunction,
  t: import('../engine/sim/task').Task,
  args: readonly unknown[],
  era: EraBindings,
): Generator<Step, unknown, void> {
  const stack = stackOf(t);
  const f = new Frame(fn, t);
  const ps = fn.params;
  for (let i = 0; i < ps.length; i++) {
    const pt = ps[i].type;
    const v = args[i];
    f.slots[i] = pt.k === 'int' && typeof v === 'number' ? wrapInt(v, pt) : v;
  }
  stack.frames.push(f);
  const outer = t.cLine;
  // the enter event is the definition's line
  t.cLine = fn.defLoc;
  t.enter(fn.name);
  try {
    const code = fn.code;
    let pc = 0;
    for (;;) {
      const ins = code[pc];
      f.pc = pc;
      t.cLine = ins.loc;
      switch (ins.op) {
        case Op.Eval:
          if (ins.sync !== null) ins.sync(f);
          else yield* ins.gen!(f);
          pc++;
          break;
        case Op.JumpIfFalse: {
          const v = ins.sync !== null ? ins.sync(f) : yield* ins.gen!(f);
          pc = truthy(v) ? pc + 1 : ins.target;
          break;
        }
        case Op.JumpIfTrue: {
          const v = ins.sync !== null ? ins.sync(f) : yield* ins.gen!(f);
          pc = truthy(v) ? ins.target : pc + 1;
          break;
        }
        case Op.Jump:
          pc = ins.target;
          break;
        default: {
          const ret = ins.sync !== null ? ins.sync(f) : ins.gen !== null ? yield* ins.gen(f) : 0;
          if (t.tracing) t.exit(fn.name, era.retText?.(fn.name, ret));
          else t.exit(fn.name);
          return ret;
        }
      }
    }
  } finally {
    stack.frames.pop();
    t.cLine = outer;
  }
}

export { UINT };
