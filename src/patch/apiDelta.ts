// What a patch does to an API, from the facts of both sides of its hunks: signature changes of
// functions, prototypes, function-pointer members and typedefs; functions, macros and exports added
// or removed; changed comments on declarations; and, per function, the calls and lock operations
// added and removed.
import type { ApiChange, FunctionDelta } from './analysisModel';
import type { Signature } from './cFacts';
import { ADDED, CONTEXT, type DiffLine, type FileDiff } from './diffReader';
import type { SideView } from './fragments';
import { lockOpOf } from './lockOps';

export interface FileSides {
  file: FileDiff;
  old: SideView[];
  new: SideView[];
}

export interface SigAt {
  sig: Signature;
  view: SideView;
  touched: boolean;
  container: string;
  /** line in the analysed file */
  src: number;
}

export interface ApiDelta {
  changes: ApiChange[];
  functions: FunctionDelta[];
  oldSigs: Map<string, SigAt[]>;
  newSigs: Map<string, SigAt[]>;
}

export function ptrJoin(type: string, name: string): string {
  if (!name) return type;
  return type.endsWith('*') ? type + name : type + ' ' + name;
}

/** The declaration as text, normalised: "int (*nopage)(struct mm_struct *mm, ...)" */
export function signatureText(s: Signature): string {
  const params = s.params.length === 0 ? 'void' : s.params.map((p) => ptrJoin(p.type, p.name)).join(', ');
  if (s.kind === 'member') return `${ptrJoin(s.ret, '(*' + s.name + ')')}(${params})`;
  if (s.kind === 'typedef') return `typedef ${ptrJoin(s.ret, '(*' + s.name + ')')}(${params})`;
  return `${ptrJoin(s.ret, s.name)}(${params})`;
}

export function typesKey(s: Signature): string {
  return s.ret + '|' + s.params.map((p) => p.type).join(',');
}

function structFromSection(section: string): string {
  const m = /\bstruct\s+([A-Za-z_]\w*)\s*\{/.exec(section);
  return m ? m[1] : '';
}

export function sigKey(s: Signature, container: string): string {
  if (s.kind === 'member') return `member:${container}.${s.name}`;
  if (s.kind === 'typedef') return `typedef:${s.name}`;
  return `fn:${s.name}`;
}

function rowsTouched(v: SideView, from: number, to: number): boolean {
  for (let r = Math.max(0, from); r <= to && r < v.lines.length; r++) if (v.lines[r].kind !== CONTEXT) return true;
  return false;
}

function collectSigs(views: SideView[]): Map<string, SigAt[]> {
  const out = new Map<string, SigAt[]>();
  for (const v of views) {
    for (const sig of v.facts.sigs) {
      const container = sig.kind === 'member' ? sig.container || structFromSection(v.hunk.section) : v.file.path;
      const key = sigKey(sig, container);
      const at: SigAt = { sig, view: v, touched: rowsTouched(v, sig.line, sig.endLine), container, src: v.lines[sig.line]?.src ?? v.hunk.src };
      const list = out.get(key);
      if (list) list.push(at);
      else out.set(key, [at]);
    }
  }
  return out;
}

/** The other touched places of the same declaration (a prototype in a header and its definition). */
function others(list: SigAt[] | undefined, picked: SigAt): { locations?: { file: string; line: number }[] } {
  const out: { file: string; line: number }[] = [];
  for (const s of list ?? []) {
    if (s === picked || !s.touched) continue;
    if (s.view.file.path === picked.view.file.path && s.src === picked.src) continue;
    if (!out.some((o) => o.file === s.view.file.path && o.line === s.src)) out.push({ file: s.view.file.path, line: s.src });
  }
  return out.length ? { locations: out } : {};
}

function pick(list: SigAt[] | undefined): SigAt | undefined {
  if (!list || list.length === 0) return undefined;
  return list.find((s) => s.touched && s.sig.kind === 'definition') ?? list.find((s) => s.touched) ?? list[0];
}

/** Compute the API delta of one patch version over its files. */
export function computeApiDelta(files: FileSides[], version: string | undefined): ApiDelta {
  const oldSigs = new Map<string, SigAt[]>();
  const newSigs = new Map<string, SigAt[]>();
  const changes: ApiChange[] = [];
  const byKey = new Map<string, ApiChange & { locations?: { file: string; line: number }[] }>();
  const add = (c: ApiChange, dedupeKey: string) => {
    const prev = byKey.get(dedupeKey);
    if (prev) {
      (prev.locations ??= []).push({ file: c.file, line: c.line });
      return;
    }
    const entry = { ...c, ...(version ? { version } : {}) };
    byKey.set(dedupeKey, entry);
    changes.push(entry);
  };

  for (const fs of files) {
    const o = collectSigs(fs.old);
    const n = collectSigs(fs.new);
    for (const [k, v] of o) oldSigs.set(k, (oldSigs.get(k) ?? []).concat(v));
    for (const [k, v] of n) newSigs.set(k, (newSigs.get(k) ?? []).concat(v));
  }

  // signatures, additions and removals
  const keys = new Set([...oldSigs.keys(), ...newSigs.keys()]);
  const changedNames = new Set<string>();
  for (const key of keys) {
    const O = oldSigs.get(key);
    const N = newSigs.get(key);
    const touched = (O ?? []).some((s) => s.touched) || (N ?? []).some((s) => s.touched);
    if (!touched) continue;
    const o = pick(O);
    const n = pick(N);
    const member = key.startsWith('member:');
    if (o && n) {
      if (typesKey(o.sig) === typesKey(n.sig) && !member && (o.sig.macroForm ?? '') !== (n.sig.macroForm ?? '') && (o.touched || n.touched)) {
        changedNames.add(key);
        add({
          kind: 'definition', name: n.sig.name, container: n.container, before: definitionText(o.sig), after: definitionText(n.sig),
          file: n.view.file.path, line: n.src, ...others(N, n),
        }, 'def:' + key);
      } else if (typesKey(o.sig) !== typesKey(n.sig)) {
        changedNames.add(key);
        add({
          kind: member ? 'member-signature' : 'signature',
          name: n.sig.name,
          container: n.container,
          before: o.sig.macroForm ?? signatureText(o.sig),
          after: n.sig.macroForm ?? signatureText(n.sig),
          file: n.view.file.path,
          line: n.src,
          ...others(N, n),
        }, 'sig:' + key);
      }
    }
  }
  // functions that become static inline stubs
  for (const [key, N] of newSigs) {
    if (!key.startsWith('fn:')) continue;
    for (const n of N) {
      if (!n.touched || n.sig.kind !== 'definition' || !/\binline\b|__always_inline/.test(n.sig.specifiers)) continue;
      const body = stubBody(n);
      if (body === undefined) continue;
      changedNames.add(key);
      const o = pick(oldSigs.get(key));
      add({
        kind: 'stub', name: n.sig.name, container: n.container, ...(o ? { before: signatureText(o.sig) } : {}),
        after: `${n.sig.specifiers} ${signatureText(n.sig)} ${body}`, file: n.view.file.path, line: n.src,
      }, 'stub:' + key);
    }
  }
  for (const key of keys) {
    if (changedNames.has(key)) continue;
    const O = oldSigs.get(key);
    const N = newSigs.get(key);
    const member = key.startsWith('member:');
    const typedef = key.startsWith('typedef:');
    if (O && !N) {
      const o = pick(O)!;
      if (!o.touched) continue;
      add({
        kind: member ? ('removed-member' as ApiChange['kind']) : 'removed-function',
        name: o.sig.name, container: o.container, before: o.sig.macroForm ?? signatureText(o.sig), file: o.view.file.path, line: o.src, ...others(O, o),
      }, (typedef ? 'rmtype:' : 'rm:') + key);
    } else if (N && !O) {
      const n = pick(N)!;
      if (!n.touched) continue;
      add({
        kind: member ? ('added-member' as ApiChange['kind']) : 'added-function',
        name: n.sig.name, container: n.container, after: n.sig.macroForm ?? signatureText(n.sig), file: n.view.file.path, line: n.src, ...others(N, n),
      }, (typedef ? 'addtype:' : 'add:') + key);
    }
  }

  // macros and exports, per file
  for (const fs of files) {
    diffNamed(fs.old, fs.new, (v) => v.facts.macros.map((m) => ({ name: m.name, row: m.line, text: `#define ${m.name}${m.params ?? ''} ${m.value}`.trim() })), (name, o, n) => {
      if (o && !n) add({ kind: 'removed-macro', name, container: fs.file.path, before: o.text, file: fs.file.path, line: o.src }, `rmm:${fs.file.path}:${name}`);
      else if (n && !o) add({ kind: 'added-macro', name, container: fs.file.path, after: n.text, file: fs.file.path, line: n.src }, `addm:${fs.file.path}:${name}`);
      else if (o && n && o.text !== n.text) add({ kind: 'signature', name, container: fs.file.path, before: o.text, after: n.text, file: fs.file.path, line: n.src }, `chm:${fs.file.path}:${name}`);
    });
    diffNamed(fs.old, fs.new, (v) => v.facts.defines.filter((d) => !v.fnOfRow[d.line]).map((d) => ({ name: d.name, row: d.line, text: d.text })), (name, o, n) => {
      if (o && !n) add({ kind: 'removed-definition', name, container: fs.file.path, before: o.text, file: fs.file.path, line: o.src }, `rmd:${fs.file.path}:${name}`);
      else if (n && !o) add({ kind: 'added-definition', name, container: fs.file.path, after: n.text, file: fs.file.path, line: n.src }, `addd:${fs.file.path}:${name}`);
      else if (o && n && o.text !== n.text) add({ kind: 'definition', name, container: fs.file.path, before: o.text, after: n.text, file: fs.file.path, line: n.src }, `chd:${fs.file.path}:${name}`);
    });
    diffNamed(fs.old, fs.new, (v) => v.facts.exports.map((e) => ({ name: e.name, row: e.line, text: `${e.macro}(${e.name})` })), (name, o, n) => {
      if (o && !n) add({ kind: 'removed-export', name, container: fs.file.path, before: o.text, file: fs.file.path, line: o.src }, `rme:${fs.file.path}:${name}`);
      else if (n && !o) add({ kind: 'added-export', name, container: fs.file.path, after: n.text, file: fs.file.path, line: n.src }, `adde:${fs.file.path}:${name}`);
    });
    // comments on declarations
    const oc = declComments(fs.old);
    const nc = declComments(fs.new);
    for (const name of new Set([...oc.keys(), ...nc.keys()])) {
      const o = oc.get(name);
      const n = nc.get(name);
      if (!(o?.touched || n?.touched)) continue;
      if (o && n && o.text === n.text) continue;
      // a comment that comes or goes with its declaration is part of that addition or removal
      if (!o || !n) continue;
      add({
        kind: 'comment', name, container: n?.container ?? o?.container ?? fs.file.path,
        before: o?.text, after: n?.text, file: fs.file.path, line: (n ?? o)!.src,
      }, `cm:${fs.file.path}:${name}`);
    }
  }

  memberChanges(files, add);

  return { changes, functions: functionDeltas(files, version), oldSigs, newSigs };
}

interface FieldAt {
  type: string;
  touched: boolean;
  file: string;
  src: number;
}

/** Data members per side, by struct and name: declared in a struct, or at the top of a hunk that starts inside one. */
function collectFields(views: SideView[]): Map<string, FieldAt> {
  const out = new Map<string, FieldAt>();
  const put = (container: string, name: string, type: string, v: SideView, row: number) => {
    if (!container) return;
    const key = `${container}.${name}`;
    const l = v.lines[row];
    const at = { type, touched: !!l && l.kind !== CONTEXT, file: v.file.path, src: l?.src ?? v.hunk.src };
    const prev = out.get(key);
    if (!prev || (at.touched && !prev.touched)) out.set(key, at);
  };
  for (const v of views) {
    for (const f of v.facts.fields) put(f.container || structFromSection(v.hunk.section), f.name, f.type, v, f.line);
    const section = structFromSection(v.hunk.section);
    if (!section || v.facts.decls.length === 0) continue;
    // rows before the struct's closing brace
    let open = 0;
    while (open < v.lines.length && v.depthOfRow[open + 1] >= 0) open++;
    for (const d of v.facts.decls) if (d.line <= open && !v.fnOfRow[d.line]) put(section, d.name, d.type, v, d.line);
  }
  return out;
}

/** Every data member whose type changes, that appears or that disappears. */
function memberChanges(files: FileSides[], add: (c: ApiChange, key: string) => void): void {
  for (const fs of files) {
    const o = collectFields(fs.old);
    const n = collectFields(fs.new);
    for (const key of new Set([...o.keys(), ...n.keys()])) {
      const a = o.get(key);
      const b = n.get(key);
      if (!a?.touched && !b?.touched) continue;
      const dot = key.lastIndexOf('.');
      const container = key.slice(0, dot);
      const name = key.slice(dot + 1);
      const decl = (t: string) => ptrJoin(t.replace(/ (\[.*\])$/, ''), name) + (/ (\[.*\])$/.exec(t)?.[1] ?? '');
      if (a && b) {
        if (a.type !== b.type) add({ kind: 'member-type', name, container, before: decl(a.type), after: decl(b.type), file: b.file, line: b.src }, `mt:${key}`);
      } else if (a) {
        add({ kind: 'removed-member', name, container, before: decl(a.type), file: a.file, line: a.src }, `rmf:${key}`);
      } else if (b) {
        add({ kind: 'added-member', name, container, after: decl(b.type), file: b.file, line: b.src }, `addf:${key}`);
      }
    }
  }
}

/** How a definition is written: its definition macro, or its specifiers and signature. */
function definitionText(s: Signature): string {
  return s.macroForm ?? `${s.specifiers ? s.specifiers + ' ' : ''}${signatureText(s)}`;
}

/** The body of a definition when it is only a stub ("{ BUG(); return 0; }"), else undefined. */
function stubBody(at: SigAt): string | undefined {
  const s = at.sig;
  if (s.bodyStart === undefined || !s.bodyClosed || s.bodyEnd === undefined || s.bodyEnd - s.bodyStart > 6) return undefined;
  const rows: string[] = [];
  for (let r = s.bodyStart; r <= s.bodyEnd; r++) rows.push(at.view.lines[r]?.text ?? '');
  let body = rows.join(' ');
  const open = body.indexOf('{');
  const close = body.lastIndexOf('}');
  if (open < 0 || close < open) return undefined;
  body = body.slice(open + 1, close).replace(/\/\*.*?\*\//g, ' ').replace(/\s+/g, ' ').trim();
  const stmts = body.split(';').map((x) => x.trim()).filter(Boolean);
  if (stmts.length === 0 || stmts.length > 3) return undefined;
  const trap = stmts.some((x) => /^(?:BUG|WARN_ON(?:_ONCE)?\s*\(\s*1\s*\)|panic|unreachable)\b/.test(x) || /^BUG\s*\(\s*\)$/.test(x));
  const trivial = stmts.every((x) => /^(?:BUG\s*\(\s*\)|WARN_ON(?:_ONCE)?\s*\(\s*1\s*\)|return(?:\s+(?:-?\w+|NULL|\(\w+\s*\*?\)\s*\w+))?)$/.test(x));
  // an empty or constant body is a stub only when it traps or returns a constant with no work done
  if (!trivial || (!trap && !stmts.some((x) => /^return\s+(?:-E[A-Z]+|0|NULL)$/.test(x)))) return undefined;
  return `{ ${stmts.join('; ')}; }`;
}

interface Named {
  name: string;
  row: number;
  text: string;
}

function diffNamed(
  oldViews: SideView[], newViews: SideView[], get: (v: SideView) => Named[],
  emit: (name: string, o: { text: string; src: number } | undefined, n: { text: string; src: number } | undefined) => void,
): void {
  const collect = (views: SideView[]) => {
    const m = new Map<string, { text: string; src: number; touched: boolean }>();
    for (const v of views) {
      for (const x of get(v)) {
        const touched = v.lines[x.row] ? v.lines[x.row].kind !== CONTEXT : false;
        const prev = m.get(x.name);
        if (!prev || (touched && !prev.touched)) m.set(x.name, { text: x.text, src: v.lines[x.row]?.src ?? v.hunk.src, touched });
      }
    }
    return m;
  };
  const o = collect(oldViews);
  const n = collect(newViews);
  for (const name of new Set([...o.keys(), ...n.keys()])) {
    const a = o.get(name);
    const b = n.get(name);
    if (!a?.touched && !b?.touched) continue;
    emit(name, a, b);
  }
}

function cleanComment(t: string): string {
  return t.split('\n').map((l) => l.replace(/^\s*(?:\/\*+|\*+\/|\*)?\s?/, '').replace(/\s*\*+\/\s*$/, '')).join('\n').trim();
}

/** Comments directly above a declaration or definition at file scope, by the declared name. */
function declComments(views: SideView[]): Map<string, { text: string; touched: boolean; src: number; container: string }> {
  const out = new Map<string, { text: string; touched: boolean; src: number; container: string }>();
  for (const v of views) {
    const starts: { row: number; name: string; container: string }[] = [];
    for (const s of v.facts.sigs) starts.push({ row: s.line, name: s.name, container: s.kind === 'member' ? s.container ?? '' : v.file.path });
    for (const m of v.facts.macros) starts.push({ row: m.line, name: m.name, container: v.file.path });
    starts.sort((a, b) => a.row - b.row);
    for (const c of v.facts.comments) {
      if (v.fnOfRow[c.line]) continue; // inside a function body
      const next = starts.find((s) => s.row > c.endLine);
      if (!next || next.row - c.endLine > 1) continue;
      // only the comment block right above the declaration
      const between = v.facts.comments.some((o) => o !== c && o.line > c.endLine && o.line < next.row);
      if (between) continue;
      const touched = rowsTouched(v, c.line, c.endLine);
      const prev = out.get(next.name);
      if (prev && !(touched && !prev.touched)) continue;
      out.set(next.name, { text: cleanComment(c.text), touched, src: v.lines[c.line]?.src ?? v.hunk.src, container: next.container });
    }
  }
  return out;
}

function bump(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

function diffCounts(a: Map<string, number>, b: Map<string, number>): string[] {
  const out: string[] = [];
  for (const [k, n] of b) if (n > (a.get(k) ?? 0)) out.push(k);
  return out.sort();
}

/** Per function: calls and lock operations added and removed (counted, so moved calls cancel), control
 * flow, the types of the locals a contract depends on, and accesses that changed form. */
function functionDeltas(files: FileSides[], version: string | undefined): FunctionDelta[] {
  const out: FunctionDelta[] = [];
  for (const fs of files) {
    const per = new Map<string, PerFunction>();
    const get = (fn: string, line: number) => {
      let e = per.get(fn);
      if (!e) {
        e = { oc: new Map(), nc: new Map(), ol: new Map(), nl: new Map(), of: new Map(), nf: new Map(), line, decls: { old: new Map(), new: new Map() }, atomics: { old: [], new: [] }, plain: [] };
        per.set(fn, e);
      }
      return e;
    };
    let callOrder = 0;
    const fileOut: FunctionDelta[] = [];
    const orderOf = new Map<FunctionDelta, number>();
    // the description's function, looked for only once something falls outside every named function
    let describedAs: string | undefined;
    let described = false;
    const unnamed = (v: SideView) => {
      if (!described) {
        described = true;
        describedAs = describedName(fs);
      }
      return describedAs ?? `(hunk -${v.hunk.oldStart})`;
    };
    for (const side of ['old', 'new'] as const) {
      for (const v of fs[side]) {
        for (const c of v.facts.calls) {
          // a hunk inside a function the patch does not name (no diff -p, no header in sight)
          const fn = v.fnOfRow[c.line] || unnamed(v);
          const l: DiffLine | undefined = v.lines[c.line];
          const e = get(fn, l?.src ?? v.hunk.src);
          // the function's line is its first call's, as before flow and locals were read
          if (e.callOrder === undefined) {
            e.callOrder = callOrder++;
            e.line = l?.src ?? v.hunk.src;
          }
          const op = lockOpOf(c, fn);
          const callName = c.member && c.name.includes('->') ? '->' + c.member : c.name;
          bump(side === 'old' ? e.oc : e.nc, callName);
          if (op) bump(side === 'old' ? e.ol : e.nl, op.text);
          if (ATOMIC.test(c.name) && c.args.length) e.atomics[side].push({ name: c.name, arg: c.args[c.args.length - 1], text: `${c.name}(${c.args.join(', ')})`, src: l?.src ?? v.hunk.src, op });
        }
        for (let r = 0; r < v.lines.length; r++) {
          const l = v.lines[r];
          // flow statements and member accesses only occur inside functions
          const inFn = v.fnOfRow[r];
          if (!inFn && sectionIsStruct(v)) continue;
          const raw = l.text;
          const maybeFlow = (raw.indexOf(':') >= 0 || raw.indexOf('return') >= 0 || raw.indexOf('goto') >= 0 || raw.indexOf('break') >= 0 || raw.indexOf('continue') >= 0) && FLOW_HINT.test(raw);
          const maybePlain = side === 'new' && l.kind === ADDED && (raw.indexOf('->') >= 0 || raw.indexOf('.') >= 0) && raw.indexOf('atomic_') < 0;
          if (!maybeFlow && !maybePlain) continue;
          const text = stripLine(raw);
          if (!text) continue;
          const fn = inFn || unnamed(v);
          if (maybeFlow) {
            const flow = flowOf(text);
            if (flow.length) {
              const e = get(fn, l.src);
              for (const f of flow) bump(side === 'old' ? e.of : e.nf, f);
            }
          }
          if (maybePlain && /(?:->|\.)[A-Za-z_]\w*/.test(text)) get(fn, l.src).plain.push({ text, src: l.src });
        }
        for (const d of v.facts.decls) {
          const fn = v.fnOfRow[d.line];
          if (!fn) continue;
          const l = v.lines[d.line];
          get(fn, l?.src ?? v.hunk.src).decls[side].set(d.name, { type: d.type, touched: !!l && l.kind !== CONTEXT, src: l?.src ?? v.hunk.src });
        }
      }
    }
    for (const [fn, e] of per) {
      const accessChanges = atomicToPlain(e);
      const callsAdded = diffCounts(e.oc, e.nc);
      let callsRemoved = diffCounts(e.nc, e.oc);
      const locksAdded = diffCounts(e.ol, e.nl);
      let locksRemoved = diffCounts(e.nl, e.ol);
      if (accessChanges.length) {
        // the read or write is still there, in another form: not a removed call or sequence read
        const gone = new Set(accessChanges.flatMap((a) => a.removes));
        callsRemoved = callsRemoved.filter((c) => !gone.has(c) || e.atomics.new.some((x) => x.name === c));
        locksRemoved = locksRemoved.filter((c) => !gone.has(c));
      }
      const flowAdded = diffCounts(e.of, e.nf);
      const flowRemoved = diffCounts(e.nf, e.of);
      const localTypes: NonNullable<FunctionDelta['localTypes']> = [];
      for (const [name, o] of e.decls.old) {
        const n = e.decls.new.get(name);
        if (!n || n.type === o.type || !(n.touched || o.touched)) continue;
        if (contractLocal(name, o.type, n.type)) localTypes.push({ name, before: ptrJoin(o.type, name), after: ptrJoin(n.type, name), line: n.src });
      }
      if (callsAdded.length + callsRemoved.length + locksAdded.length + locksRemoved.length + flowAdded.length + flowRemoved.length + localTypes.length + accessChanges.length === 0) continue;
      const d: FunctionDelta = {
        function: fn, file: fs.file.path, line: e.line, callsAdded, callsRemoved, locksAdded, locksRemoved,
        ...(flowAdded.length ? { flowAdded } : {}),
        ...(flowRemoved.length ? { flowRemoved } : {}),
        ...(localTypes.length ? { localTypes } : {}),
        ...(accessChanges.length ? { accessChanges: accessChanges.map(({ removes: _r, ...a }) => a) } : {}),
        ...(fn === describedAs ? { namedFrom: 'description' as const } : {}),
        ...(version ? { version } : {}),
      };
      orderOf.set(d, e.callOrder ?? 1e9 + fileOut.length);
      fileOut.push(d);
    }
    out.push(...fileOut.sort((a, b) => orderOf.get(a)! - orderOf.get(b)!));
  }
  return out;
}

/**
 * The function hunks that name none belong to, when the description names exactly one function that the
 * hunks neither call nor define: "populate_range() breaks out of its loop with the lock held".
 */
function describedName(fs: FileSides): string | undefined {
  if (!fs.file.mentioned?.length) return undefined;
  let unnamedRows = false;
  const seen = new Set<string>();
  for (const side of [fs.old, fs.new]) for (const v of side) {
    for (const c of v.facts.calls) seen.add(c.name);
    for (const sg of v.facts.sigs) seen.add(sg.name);
    for (const f of v.fnOfRow) if (f) seen.add(f);
    if (v.fnOfRow.some((f) => !f)) unnamedRows = true;
  }
  if (!unnamedRows) return undefined;
  const left = fs.file.mentioned.filter((n) => !seen.has(n));
  return left.length === 1 ? left[0] : undefined;
}

interface AtomicUse {
  name: string;
  arg: string;
  text: string;
  src: number;
  op?: { text: string };
}

interface PerFunction {
  oc: Map<string, number>;
  nc: Map<string, number>;
  ol: Map<string, number>;
  nl: Map<string, number>;
  of: Map<string, number>;
  nf: Map<string, number>;
  line: number;
  /** functions with calls keep the order of their first call, the others follow */
  callOrder?: number;
  decls: { old: Map<string, { type: string; touched: boolean; src: number }>; new: Map<string, { type: string; touched: boolean; src: number }> };
  atomics: { old: AtomicUse[]; new: AtomicUse[] };
  /** added lines that reach a member without an atomic_*() call */
  plain: { text: string; src: number }[];
}

const ATOMIC = /^atomic(?:64|_long)?_(?:read|set|inc|dec|add|sub|inc_return|dec_return)$|^smp_(?:load_acquire|store_release)$|^(?:READ|WRITE)_ONCE$/;
const BARRIER = /^(?:smp_)?(?:rmb|wmb|mb)$|^barrier$|^smp_mb__(?:before|after)_\w+$/;

/** a cheap test before flowOf: a flow keyword or a label may be on the line */
const FLOW_HINT = /\b(?:goto|break|continue|return)\b|^\s*[A-Za-z_]\w*:/;

function stripLine(t: string): string {
  return (t.indexOf('/') >= 0 ? t.replace(/\/\*.*?(?:\*\/|$)/g, ' ').replace(/\/\/.*$/, '') : t).trim();
}

function sectionIsStruct(v: SideView): boolean {
  return /\b(?:struct|union|enum)\s+\w*\s*\{|=\s*\{/.test(v.hunk.section);
}

/** Control-flow statements and labels of a line: "goto out_unlock", "break", "return", "label out" */
function flowOf(t: string): string[] {
  const out: string[] = [];
  const label = /^([A-Za-z_]\w*):(?!:)/.exec(t);
  if (label && label[1] !== 'default') out.push('label ' + label[1]);
  // a return counts as a way out, whatever it returns: converted return values are reported elsewhere
  for (const m of t.matchAll(/\b(goto\s+[A-Za-z_]\w*|break|continue|return)\b(?=[^;]*;)/g)) out.push(m[1].replace(/\s+/g, ' '));
  return out;
}

/** Locals a lock or reference contract depends on: sequence samples, counts, page pointers. */
function contractLocal(name: string, before: string, after: string): boolean {
  return /seq|snap|count|gen|stamp|version/i.test(name) || /\bstruct page\b|atomic|seqcount|seqlock/.test(before + ' ' + after);
}

/** atomic_read(&m->seq) become m->seq, atomic_inc(&m->seq) become m->seq++: the access changed form. */
function atomicToPlain(e: PerFunction): { object: string; before: string; after: string; change: string; line: number; removes: string[] }[] {
  const out: { object: string; before: string; after: string; change: string; line: number; removes: string[] }[] = [];
  const left = new Map<string, number>();
  for (const a of e.atomics.new) left.set(a.name + '\0' + a.arg, (left.get(a.name + '\0' + a.arg) ?? 0) + 1);
  const barriersGone = diffCounts(e.nc, e.oc).filter((c) => BARRIER.test(c));
  const seen = new Set<string>();
  for (const a of e.atomics.old) {
    const k = a.name + '\0' + a.arg;
    const n = left.get(k) ?? 0;
    if (n > 0) { left.set(k, n - 1); continue; }
    const object = a.arg.replace(/^&\s*/, '').replace(/\s+/g, '');
    const member = /([A-Za-z_]\w*)$/.exec(object)?.[1];
    if (!member || seen.has(a.name + member)) continue;
    const write = !/_read$|load_acquire|READ_ONCE/.test(a.name);
    const re = new RegExp(`(?:->|\\.)\\s*${member}\\b\\s*(\\+\\+|--|[-+]?=(?!=))?`);
    const plain = e.plain.find((p) => {
      const m = re.exec(p.text);
      return m && (write ? !!m[1] || /(?:\+\+|--)\s*[A-Za-z_][\w>.-]*$/.test(p.text.slice(0, m.index)) : !m[1]);
    });
    if (!plain) continue;
    seen.add(a.name + member);
    const m = new RegExp(`[A-Za-z_][\\w.>-]*(?:->|\\.)\\s*${member}\\b(?:\\s*(?:\\+\\+|--))?`).exec(plain.text);
    const change = `atomic -> plain ${write ? 'write' : 'read'}` + (barriersGone.length ? `; barrier removed: ${barriersGone.map((b) => b + '()').join(', ')}` : '');
    out.push({ object: member, before: a.text, after: m ? m[0].replace(/\s+/g, '') : plain.text, change, line: plain.src, removes: [a.name, ...(a.op ? [a.op.text] : [])] });
  }
  return out;
}

