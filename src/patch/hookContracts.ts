// Hooks (function-pointer members whose signature a patch changes, like vm_operations_struct.nopage):
// their implementations in the patch and whether each was converted consistently (signature, return
// convention, identifiers, lock handling on every return path), and the lock contract the patch leaves
// (is the lock held when the hook is entered, and who drops it), with the lines that show it.
import type { ApiChange, Implementation, LockContract } from './analysisModel';
import { signatureText, typesKey, type ApiDelta, type FileSides, type SigAt } from './apiDelta';
import type { DeclFact, Signature } from './cFacts';
import { ADDED, REMOVED } from './diffReader';
import { evidenceText, type SideView } from './fragments';
import { lockOpOf, type LockOp } from './lockOps';

export interface Hook {
  name: string;
  container: string;
  before: Signature;
  after: Signature;
}

export interface HookResult {
  hooks: Hook[];
  implementations: Implementation[];
  contracts: LockContract[];
  changes: ApiChange[];
}

interface Row {
  view: SideView;
  r: number;
}

type LockState = 'held' | 'released' | 'maybe';

/** Rows of a function on one side, in file order. */
function rowsOf(views: SideView[], fn: string): Row[] {
  const out: Row[] = [];
  for (const v of views) for (let r = 0; r < v.lines.length; r++) if (v.fnOfRow[r] === fn) out.push({ view: v, r });
  return out;
}

function paramsMatch(s: Signature, h: Signature): boolean {
  if (s.params.length !== h.params.length || s.params.length === 0) return false;
  let eq = 0;
  for (let i = 0; i < s.params.length; i++) if (s.params[i].type === h.params[i].type) eq++;
  return eq >= s.params.length - 1 && eq >= 2;
}

function isPointer(t: string): boolean {
  return t.trim().endsWith('*');
}

function callsByRow(v: SideView): Map<number, { name: string; member: string; args: string[]; op?: LockOp }[]> {
  const m = new Map<number, { name: string; member: string; args: string[]; op?: LockOp }[]>();
  for (const c of v.facts.calls) {
    const fn = v.fnOfRow[c.line] || '';
    const e = { name: c.name, member: c.member, args: c.args, op: lockOpOf(c, fn) };
    const list = m.get(c.line);
    if (list) list.push(e);
    else m.set(c.line, [e]);
  }
  return m;
}

const rowCallCache = new WeakMap<SideView, ReturnType<typeof callsByRow>>();
function rowCalls(v: SideView) {
  let m = rowCallCache.get(v);
  if (!m) {
    m = callsByRow(v);
    rowCallCache.set(v, m);
  }
  return m;
}

const declCache = new WeakMap<SideView, Map<number, DeclFact[]>>();
function declsByRow(v: SideView): Map<number, DeclFact[]> {
  let m = declCache.get(v);
  if (!m) {
    m = new Map();
    for (const d of v.facts.decls) {
      const list = m.get(d.line);
      if (list) list.push(d);
      else m.set(d.line, [d]);
    }
    declCache.set(v, m);
  }
  return m;
}

const returnCache = new WeakMap<SideView, Map<number, string>>();
function returnsByRow(v: SideView): Map<number, string> {
  let m = returnCache.get(v);
  if (!m) {
    m = new Map<number, string>();
    for (const r of v.facts.returns) if (!m.has(r.line)) m.set(r.line, r.expr);
    returnCache.set(v, m);
  }
  return m;
}

/** A brace-less if/else/for/while header, whose next statement runs conditionally. */
function isBracelessHeader(text: string): boolean {
  const t = text.trim();
  return /^(?:\}?\s*else\b|if\s*\(|for\s*\(|while\s*\()/.test(t) && !t.endsWith('{') && !t.endsWith(';') && !t.includes('{');
}

function isInlineConditional(text: string): boolean {
  return /^\s*(?:\}?\s*else\b|if\s*\(|for\s*\(|while\s*\()/.test(text);
}

interface Track {
  returns: { row: Row; state: LockState; expr: string }[];
  releases: Row[];
  acquires: Row[];
  unmaps: Row[];
}

/** Follow one lock through a function's visible lines, from an entry state. */
function trackLock(rows: Row[], lock: string, entry: LockState): Track {
  const t: Track = { returns: [], releases: [], acquires: [], unmaps: [] };
  let state: LockState = entry;
  let pendingDepth = -1;
  let conditionalNext = false;
  let prevView: SideView | undefined;
  let prevRow = -1;
  for (const row of rows) {
    const v = row.view;
    if (prevView && (prevView !== v || row.r !== prevRow + 1)) {
      // lines outside the hunks are unknown; assume they do not touch the lock
      conditionalNext = false;
    }
    const text = v.lines[row.r].text;
    const bd = v.bodyDepthOfRow[row.r] >= 0 ? v.bodyDepthOfRow[row.r] : 1;
    if (pendingDepth > 0 && bd < pendingDepth) {
      state = 'maybe';
      pendingDepth = -1;
    }
    const conditional = conditionalNext || isInlineConditional(text) || bd > 1;
    for (const c of rowCalls(v).get(row.r) ?? []) {
      if (!c.op) continue;
      if (c.op.action === 'unmap') t.unmaps.push(row);
      if (c.op.lock !== lock) continue;
      if (c.op.action === 'release') {
        t.releases.push(row);
        state = 'released';
      } else if (c.op.action === 'acquire') {
        t.acquires.push(row);
        state = 'held';
      } else continue;
      if (conditional) pendingDepth = conditionalNext || isInlineConditional(text) ? bd + 1 : bd;
    }
    const ret = returnsByRow(v).get(row.r);
    if (ret !== undefined) t.returns.push({ row, state, expr: ret });
    if (conditionalNext && !isBracelessHeader(text)) {
      // the guarded statement is over
      if (pendingDepth >= 0) {
        state = 'maybe';
        pendingDepth = -1;
      }
      conditionalNext = false;
    } else if (isInlineConditional(text) && pendingDepth >= 0 && !text.includes('{')) {
      state = 'maybe';
      pendingDepth = -1;
    }
    if (isBracelessHeader(text)) conditionalNext = true;
    prevView = v;
    prevRow = row.r;
  }
  return t;
}

function srcOf(row: Row): number {
  return row.view.lines[row.r].src;
}

function fileLine(row: Row): number {
  const l = row.view.lines[row.r];
  return row.view.side === 'old' ? l.oldNo : l.newNo;
}

function evidence(row: Row) {
  return { file: row.view.file.path, line: srcOf(row), text: evidenceText(row.view.lines[row.r]), sourceLine: fileLine(row) };
}

function returnForm(expr: string, pointerRet: boolean): string {
  const e = expr.trim();
  const call = /^([A-Za-z_]\w*)\s*\(/.exec(e);
  if (call && !e.includes('?')) return call[1] + '(...)';
  // a local holding the result (page, pg, ret, dmapage): what matters is that it is a page pointer
  if (pointerRet && /^[a-z_]\w*$/.test(e) && e !== 'NULL') return '<struct page * variable>';
  return e;
}

const HOOK_PARAM_WORDS = new Set(['mm', 'vma', 'area', 'address', 'addr', 'write_access', 'pmd', 'page_table', 'pte', 'vmf']);

/** Find hooks, check their implementations, and derive each hook's lock contract. */
export function analyseHooks(delta: ApiDelta, files: FileSides[], version: string | undefined): HookResult {
  const res: HookResult = { hooks: [], implementations: [], contracts: [], changes: [] };
  const ver = version ? { version } : {};
  for (const c of delta.changes) {
    if (c.kind !== 'member-signature') continue;
    const key = `member:${c.container}.${c.name}`;
    const o = pickMember(delta.oldSigs.get(key));
    const n = pickMember(delta.newSigs.get(key));
    if (o && n) res.hooks.push({ name: c.name, container: c.container, before: o.sig, after: n.sig });
  }
  if (res.hooks.length === 0) return res;

  // definitions by name, per side
  const defs = new Map<string, { old?: SigAt; new?: SigAt; file: string }>();
  for (const [side, map] of [
    ['old', delta.oldSigs],
    ['new', delta.newSigs],
  ] as const) {
    for (const [key, list] of map) {
      if (!key.startsWith('fn:')) continue;
      for (const at of list) {
        if (at.sig.kind !== 'definition') continue;
        const k = at.view.file.path + '\0' + at.sig.name;
        const e = defs.get(k) ?? { file: at.view.file.path };
        if (!e[side]) e[side] = at;
        defs.set(k, e);
      }
    }
  }

  for (const hook of res.hooks) {
    // functions installed as the hook: ".nopage = fn" (new side, or context)
    const assigned = new Map<string, Row>();
    const callSites: { row: Row; fn: string }[] = [];
    const oldCallSites: { row: Row; fn: string }[] = [];
    for (const fs of files) {
      for (const v of fs.new) {
        for (const i of v.facts.inits)
          if (i.member === hook.name && /^[A-Za-z_]\w*(?:\s*\(\w+\))?$/.test(i.value))
            assigned.set(i.value.replace(/\s+/g, ''), { view: v, r: i.line });
        for (const call of v.facts.calls)
          if (call.member === hook.name && call.name.includes('->'))
            callSites.push({ row: { view: v, r: call.line }, fn: v.fnOfRow[call.line] });
      }
      for (const v of fs.old) {
        for (const call of v.facts.calls)
          if (call.member === hook.name && call.name.includes('->'))
            oldCallSites.push({ row: { view: v, r: call.line }, fn: v.fnOfRow[call.line] });
      }
    }
    const callers = new Set(
      callSites
        .map((c) => c.fn)
        .concat(oldCallSites.map((c) => c.fn))
        .filter(Boolean),
    );

    const impls: Impl[] = [];
    for (const e of defs.values()) {
      const name = (e.new ?? e.old)!.sig.name;
      if (callers.has(name)) continue;
      const isAssigned = assigned.has(name);
      const oldMatch = e.old ? paramsMatch(e.old.sig, hook.before) : false;
      const newMatch = e.new ? paramsMatch(e.new.sig, hook.after) : false;
      const headerChanged = (e.old?.touched ?? false) || (e.new?.touched ?? false);
      if (
        isAssigned ||
        (oldMatch && headerChanged) ||
        (newMatch && headerChanged) ||
        (oldMatch && e.new && typesKey(e.new.sig) === typesKey(e.old!.sig))
      ) {
        impls.push({ name, file: e.file, o: e.old, n: e.new, assignedAt: assigned.get(name) });
      }
    }
    for (const [name, row] of assigned) {
      if (!impls.some((i) => i.name === name)) impls.push({ name, file: row.view.file.path, assignedAt: row });
    }

    // lock evidence at the call sites: the nearest lock operation before the call in the caller
    const callerEvidence = new Map<string, { release: Row[]; acquire: Row[]; calls: Row[] }>();
    for (const cs of callSites) {
      const prev = nearestLockOpBefore(cs.row);
      if (!prev) continue;
      const e = callerEvidence.get(prev.op.lock) ?? { release: [], acquire: [], calls: [] };
      if (prev.op.action === 'release') e.release.push(prev.row);
      else e.acquire.push(prev.row);
      e.calls.push(cs.row);
      callerEvidence.set(prev.op.lock, e);
    }
    const removedCallerReleases: Row[] = [];
    for (const cs of oldCallSites) {
      const prev = nearestLockOpBefore(cs.row);
      if (prev && prev.op.action === 'release' && cs.row.view.lines[prev.row.r].kind === REMOVED) removedCallerReleases.push(prev.row);
    }

    // which locks implementations release
    const implRelease = new Map<string, { rows: Row[]; impls: Set<string> }>();
    const implRows = new Map<string, Row[]>();
    let visibleBodies = 0;
    for (const im of impls) {
      const views = files.find((f) => f.file.path === im.file)?.new ?? [];
      const rows = rowsOf(views, im.name);
      implRows.set(im.file + '\0' + im.name, rows);
      if (im.n?.sig.bodyStart !== undefined) visibleBodies++;
      for (const row of rows) {
        for (const c of rowCalls(row.view).get(row.r) ?? []) {
          if (c.op?.action !== 'release') continue;
          const e = implRelease.get(c.op.lock) ?? { rows: [], impls: new Set<string>() };
          e.rows.push(row);
          e.impls.add(im.name);
          implRelease.set(c.op.lock, e);
        }
      }
    }

    const locks = new Set([...callerEvidence.keys(), ...implRelease.keys()]);
    const contractOf = new Map<string, LockContract>();
    for (const lock of locks) {
      const ce = callerEvidence.get(lock);
      const ie = implRelease.get(lock);
      const callerReleases = !!ce && ce.release.length > 0 && ce.release.length >= ce.acquire.length;
      const implReleases = !!ie && ie.impls.size > 0 && ie.impls.size * 2 >= Math.max(1, visibleBodies);
      let contract: LockContract | undefined;
      if (implReleases && !callerReleases) {
        const ev = [] as LockContract['evidence'];
        for (const r of removedCallerReleases) ev.push(evidence(r));
        for (const r of ie.rows.slice(0, 6)) ev.push(evidence(r));
        for (const cs of callSites.slice(0, 3)) ev.push(evidence(cs.row));
        contract = { hook: `${hook.container}.${hook.name}`, lock, atEntry: 'held', droppedBy: 'implementation', ...ver, evidence: ev };
      } else if (callerReleases) {
        const ev = [] as LockContract['evidence'];
        for (let k = 0; k < Math.min(3, ce.release.length); k++) {
          ev.push(evidence(ce.release[k]));
          ev.push(evidence(ce.calls[k]));
        }
        contract = { hook: `${hook.container}.${hook.name}`, lock, atEntry: 'released', droppedBy: 'caller', ...ver, evidence: ev };
      }
      if (contract) {
        contractOf.set(lock, contract);
        res.contracts.push(contract);
      }
    }

    const macroCache = new Map<string, Map<string, string>>();
    const macrosOf = (file: string) => {
      let m = macroCache.get(file);
      if (!m) {
        m = new Map<string, string>();
        for (const fs of files)
          if (fs.file.path === file) for (const v of fs.new) for (const mac of v.facts.macros) m.set(mac.name, mac.value);
        macroCache.set(file, m);
      }
      return m;
    };
    // return convention of the hook, from the implementations' changed returns
    const retChanged = hook.before.ret !== hook.after.ret;
    const beforeForms = new Set<string>();
    const afterForms = new Set<string>();

    for (const im of impls)
      res.implementations.push(
        checkImplementation(im, { hook, files, implRows, contractOf, macrosOf, retChanged, beforeForms, afterForms, ver }),
      );

    if (retChanged && (beforeForms.size > 0 || afterForms.size > 0)) {
      const first = impls.find((i) => i.n);
      res.changes.push({
        kind: 'return-convention',
        name: hook.name,
        container: hook.container,
        before: `${hook.before.ret}: ${[...beforeForms].sort().join(' | ')}`,
        after: `${hook.after.ret}: ${[...afterForms].sort().join(' | ')}`,
        file: first?.file ?? '',
        line: first?.n?.src ?? 0,
        ...ver,
      });
    }
  }
  return res;
}

interface Impl {
  name: string;
  file: string;
  o?: SigAt;
  n?: SigAt;
  assignedAt?: Row;
}

interface ImplContext {
  hook: Hook;
  files: FileSides[];
  implRows: Map<string, Row[]>;
  contractOf: Map<string, LockContract>;
  macrosOf: (file: string) => Map<string, string>;
  retChanged: boolean;
  beforeForms: Set<string>;
  afterForms: Set<string>;
  ver: { version?: string };
}

// A function of its own: inside analyseHooks it made one body the optimizing compiler spent long on.
/** Check one implementation of a hook against the hook's new signature, return convention and lock contract. */
function checkImplementation(im: Impl, cx: ImplContext): Implementation {
  const { hook, files, implRows, contractOf, macrosOf, retChanged, beforeForms, afterForms, ver } = cx;
  const problems: string[] = [];
  const notes: string[] = [];
  const rows = implRows.get(im.file + '\0' + im.name) ?? [];
  const oldRows = rowsOf(files.find((f) => f.file.path === im.file)?.old ?? [], im.name);
  const n = im.n?.sig;
  if (n) {
    for (const iss of n.issues) problems.push(iss);
    if (n.ret !== hook.after.ret && n.issues.length === 0)
      problems.push(`returns '${n.ret}', but ${hook.name} now returns '${hook.after.ret}'`);
    if (n.params.length !== hook.after.params.length) {
      problems.push(
        `takes ${n.params.length} parameters, ${hook.name} now passes ${hook.after.params.length}: ${signatureText(hook.after)}`,
      );
    } else {
      n.params.forEach((p, k) => {
        if (p.type !== hook.after.params[k].type)
          problems.push(`parameter ${k + 1} '${p.type}${p.name ? ' ' + p.name : ''}' should be '${hook.after.params[k].type}'`);
      });
    }
  } else if (!im.o) {
    notes.push('definition not in the patch; signature not checked');
  }
  if (im.o && !n) problems.push('its definition is removed but it is still installed as the hook');
  if (im.o && n && !im.n?.touched && typesKey(im.o.sig) === typesKey(n))
    problems.push(`signature not converted: still ${signatureText(n)}`);

  // identifiers, pointer locals and returns on the new side
  const paramNames = new Set((n?.params ?? []).map((p) => p.name));
  const pointerVars = new Set<string>();
  const declared = new Set<string>();
  for (const row of rows) {
    for (const d of declsByRow(row.view).get(row.r) ?? []) {
      declared.add(d.name);
      if (isPointer(d.type)) pointerVars.add(d.name);
      if (isPointer(d.type) && /^VM_FAULT_/.test(d.init)) {
        problems.push(`line ${srcOf(row)}: '${d.type} ${d.name}' is initialised with ${d.init}, a fault code, not a page`);
      }
    }
  }
  const fileMacros = macrosOf(im.file);
  for (const row of rows) {
    for (const c of rowCalls(row.view).get(row.r) ?? []) {
      if (row.view.lines[row.r].kind !== ADDED) continue;
      for (const a of c.args) {
        if (/^[A-Za-z_]\w*$/.test(a) && HOOK_PARAM_WORDS.has(a) && n && !paramNames.has(a) && !declared.has(a)) {
          problems.push(
            `line ${srcOf(row)}: ${c.name}() is passed '${a}', which is not a parameter of ${im.name} (${n.params.map((p) => p.name).join(', ')})`,
          );
        }
      }
    }
  }
  if (retChanged) {
    const oldConv = (e: string) => {
      if (/\bNOPAGE_(SIGBUS|OOM)\b/.test(e)) {
        const mapped = /\bNOPAGE_(SIGBUS|OOM)\b/.exec(e)![0];
        if (fileMacros.has(mapped) && /VM_FAULT_/.test(fileMacros.get(mapped)!)) return false;
        return true;
      }
      if (e === 'NULL') return isPointer(hook.before.ret) && !isPointer(hook.after.ret);
      if (/^[A-Za-z_]\w*$/.test(e) && pointerVars.has(e) && isPointer(hook.before.ret) && !isPointer(hook.after.ret)) return true;
      return false;
    };
    for (const row of rows) {
      const ret = returnsByRow(row.view).get(row.r);
      if (ret === undefined) continue;
      const l = row.view.lines[row.r];
      if (oldConv(ret)) problems.push(`line ${srcOf(row)}: 'return ${ret}' follows the old ${hook.name} convention (${hook.before.ret})`);
      if (l.kind === ADDED) afterForms.add(returnForm(ret, isPointer(hook.after.ret)));
    }
    for (const row of oldRows) {
      const ret = returnsByRow(row.view).get(row.r);
      if (ret !== undefined && row.view.lines[row.r].kind === REMOVED) beforeForms.add(returnForm(ret, isPointer(hook.before.ret)));
    }
  }

  // lock handling under the contract the patch leaves
  for (const [lock, contract] of contractOf) {
    if (rows.length === 0) {
      notes.push(`body not in the patch; ${lock} handling not checked`);
      continue;
    }
    const bodyVisible = n?.bodyStart !== undefined;
    const wholeBody = bodyVisible && !!n?.bodyClosed;
    if (contract.atEntry === 'held') {
      const tr = trackLock(rows, lock, bodyVisible ? 'held' : 'maybe');
      if (tr.releases.length === 0 && wholeBody) problems.push(`never drops ${lock}, which ${hook.name} is now entered with`);
      else if (tr.releases.length === 0) notes.push(`no drop of ${lock} in the lines the patch shows`);
      for (const r of tr.returns) {
        if (r.state === 'held' || (r.state === 'maybe' && tr.releases.length > 0))
          problems.push(`line ${srcOf(r.row)}: returns with ${lock} ${r.state === 'held' ? 'still held' : 'possibly held'}`);
      }
      if (lock === 'page_table_lock' && hook.after.params.some((p) => p.type === 'pte_t *') && wholeBody && tr.unmaps.length === 0) {
        problems.push('never calls pte_unmap() on the page table it is passed');
      }
    } else {
      const tr = trackLock(rows, lock, 'released');
      for (const r of tr.releases) problems.push(`line ${srcOf(r)}: drops ${lock}, which the caller has already dropped`);
    }
  }

  const line = im.n ? im.n.src : im.o ? im.o.src : im.assignedAt ? srcOf(im.assignedAt) : 0;
  return {
    file: im.file,
    line,
    function: im.name,
    hook: `${hook.container}.${hook.name}`,
    consistent: problems.length === 0,
    problems: dedupe(problems),
    ...ver,
    ...(notes.length ? { notes: dedupe(notes) } : {}),
  };
}

function dedupe(a: string[]): string[] {
  return [...new Set(a)];
}

function pickMember(list: SigAt[] | undefined): SigAt | undefined {
  if (!list) return undefined;
  return list.find((s) => s.touched) ?? list[0];
}

/** The closest lock operation above a row, inside the same function and hunk side. */
function nearestLockOpBefore(row: Row): { row: Row; op: LockOp } | undefined {
  const v = row.view;
  const fn = v.fnOfRow[row.r];
  const calls = rowCalls(v);
  for (let r = row.r; r >= 0; r--) {
    if (v.fnOfRow[r] !== fn) break;
    if (r < row.r && returnsByRow(v).has(r) && v.bodyDepthOfRow[r] <= 1) break;
    const list = calls.get(r) ?? [];
    for (let k = list.length - 1; k >= 0; k--) {
      const op = list[k].op;
      if (op && (op.action === 'release' || op.action === 'acquire')) return { row: { view: v, r }, op };
    }
  }
  return undefined;
}
