// What a patch does to an API, from the facts of both sides of its hunks: signature changes of
// functions, prototypes, function-pointer members and typedefs; functions, macros and exports added
// or removed; changed comments on declarations; and, per function, the calls and lock operations
// added and removed.
import type { ApiChange, FunctionDelta } from './analysisModel';
import type { Signature } from './cFacts';
import { CONTEXT, type DiffLine, type FileDiff } from './diffReader';
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
      if (typesKey(o.sig) !== typesKey(n.sig)) {
        changedNames.add(key);
        add({
          kind: member ? 'member-signature' : 'signature',
          name: n.sig.name,
          container: n.container,
          before: signatureText(o.sig),
          after: signatureText(n.sig),
          file: n.view.file.path,
          line: n.src,
          ...others(N, n),
        }, 'sig:' + key);
      }
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
        name: o.sig.name, container: o.container, before: signatureText(o.sig), file: o.view.file.path, line: o.src, ...others(O, o),
      }, (typedef ? 'rmtype:' : 'rm:') + key);
    } else if (N && !O) {
      const n = pick(N)!;
      if (!n.touched) continue;
      add({
        kind: member ? ('added-member' as ApiChange['kind']) : 'added-function',
        name: n.sig.name, container: n.container, after: signatureText(n.sig), file: n.view.file.path, line: n.src, ...others(N, n),
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

  return { changes, functions: functionDeltas(files, version), oldSigs, newSigs };
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

/** Per function: calls and lock operations added and removed (counted, so moved calls cancel). */
function functionDeltas(files: FileSides[], version: string | undefined): FunctionDelta[] {
  const out: FunctionDelta[] = [];
  for (const fs of files) {
    const per = new Map<string, { oc: Map<string, number>; nc: Map<string, number>; ol: Map<string, number>; nl: Map<string, number>; line: number }>();
    const get = (fn: string, line: number) => {
      let e = per.get(fn);
      if (!e) {
        e = { oc: new Map(), nc: new Map(), ol: new Map(), nl: new Map(), line };
        per.set(fn, e);
      }
      return e;
    };
    for (const side of ['old', 'new'] as const) {
      for (const v of fs[side]) {
        for (const c of v.facts.calls) {
          // a hunk inside a function the patch does not name (no diff -p, no header in sight)
          const fn = v.fnOfRow[c.line] || `(hunk -${v.hunk.oldStart})`;
          const l: DiffLine | undefined = v.lines[c.line];
          const e = get(fn, l?.src ?? v.hunk.src);
          const op = lockOpOf(c, fn);
          const callName = c.member && c.name.includes('->') ? '->' + c.member : c.name;
          bump(side === 'old' ? e.oc : e.nc, callName);
          if (op) bump(side === 'old' ? e.ol : e.nl, op.text);
        }
      }
    }
    for (const [fn, e] of per) {
      const callsAdded = diffCounts(e.oc, e.nc);
      const callsRemoved = diffCounts(e.nc, e.oc);
      const locksAdded = diffCounts(e.ol, e.nl);
      const locksRemoved = diffCounts(e.nl, e.ol);
      if (callsAdded.length + callsRemoved.length + locksAdded.length + locksRemoved.length === 0) continue;
      out.push({ function: fn, file: fs.file.path, line: e.line, callsAdded, callsRemoved, locksAdded, locksRemoved, ...(version ? { version } : {}) });
    }
  }
  return out;
}
