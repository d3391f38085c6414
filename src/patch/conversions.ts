// Ops tables and conversions: designated initializers of ops structs that the patch wires to another
// slot or function (".nopage = f" -> ".fault = g"), and functions removed and added in the same file
// that are one conversion old -> new (they take the same slot, or share most of their body), reported
// once with both signatures and both return conventions.
import type { ApiChange } from './analysisModel';
import { signatureText, type ApiDelta, type FileSides, type SigAt } from './apiDelta';
import { ADDED, CONTEXT, REMOVED } from './diffReader';
import type { SideView } from './fragments';

interface Slot {
  table: string;
  struct: string;
  member: string;
  value: string;
  touched: boolean;
  src: number;
}

const TABLE_RE = /(?:\bstruct\s+([A-Za-z_]\w*)\s+)?([A-Za-z_]\w*)\s*(?:\[\s*\w*\s*\]\s*)?(?:__\w+\s*)*=\s*\{/;

/** The ops table an initializer row belongs to: the "struct x name = {" above it, or the hunk header's. */
function tableOf(v: SideView, row: number): { table: string; struct: string } | undefined {
  for (let r = row; r >= 0; r--) {
    const t = v.lines[r].text;
    if (r < row && /^\s*\}\s*;/.test(t)) return undefined;
    const m = TABLE_RE.exec(t);
    if (m) return { table: m[2], struct: m[1] ?? '' };
  }
  const m = TABLE_RE.exec(v.hunk.section);
  return m ? { table: m[2], struct: m[1] ?? '' } : undefined;
}

function slotsOf(views: SideView[]): Slot[] {
  const out: Slot[] = [];
  for (const v of views) {
    for (const i of v.facts.inits) {
      // designated initializers at file scope whose value is a function: ".nopage = foo_nopage,"
      if (v.fnOfRow[i.line] || !/^&?[A-Za-z_]\w*$/.test(i.value) || !/^\s*\./.test(v.lines[i.line]?.text ?? '')) continue;
      const t = tableOf(v, i.line);
      if (!t) continue;
      const l = v.lines[i.line];
      out.push({ ...t, member: i.member, value: i.value.replace(/^&/, ''), touched: !!l && l.kind !== CONTEXT, src: l?.src ?? v.hunk.src });
    }
  }
  return out;
}

/** Body lines of every function on one side (trimmed, without braces and blanks), by function name. */
function bodyLinesByFn(views: SideView[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const v of views) {
    for (let r = 0; r < v.lines.length; r++) {
      const fn = v.fnOfRow[r];
      if (!fn) continue;
      const t = v.lines[r].text.trim();
      if (!t || t === '{' || t === '}') continue;
      const list = out.get(fn);
      if (list) list.push(t.replace(/\s+/g, ' '));
      else out.set(fn, [t.replace(/\s+/g, ' ')]);
    }
  }
  return out;
}

function shared(a: string[], b: string[]): number {
  const count = new Map<string, number>();
  for (const x of a) count.set(x, (count.get(x) ?? 0) + 1);
  let n = 0;
  for (const y of b) {
    const c = count.get(y) ?? 0;
    if (c > 0) { n++; count.set(y, c - 1); }
  }
  return n;
}

/** How a function hands back its result: its returns, and the result it stores through a pointer (vmf->page). */
function returnConvention(views: SideView[], fn: string, params: string[]): string[] {
  const out = new Set<string>();
  for (const v of views) {
    for (const r of v.facts.returns) if (v.fnOfRow[r.line] === fn) out.add(`return ${r.expr}`.trim());
    for (const i of v.facts.inits) {
      if (v.fnOfRow[i.line] !== fn) continue;
      const m = /([A-Za-z_]\w*)\s*->\s*[A-Za-z_]\w*\s*=/.exec(v.lines[i.line].text);
      if (m && params.includes(m[1])) out.add(`${m[1]}->${i.member} = ${i.value}`);
    }
  }
  return [...out];
}

/** Rewire ops slots and fold removed + added functions into conversions; edits `delta.changes` in place. */
export function findConversions(delta: ApiDelta, files: FileSides[], version: string | undefined): void {
  const ver = version ? { version } : {};
  const slotPairs: { old: Slot; new: Slot; file: string }[] = [];
  const changes: ApiChange[] = [];
  for (const fs of files) {
    const o = slotsOf(fs.old);
    const n = slotsOf(fs.new);
    const tables = new Set([...o, ...n].map((s) => s.table));
    for (const table of tables) {
      const os = o.filter((s) => s.table === table);
      const ns = n.filter((s) => s.table === table);
      const gone = os.filter((s) => s.touched && !ns.some((x) => x.member === s.member && x.value === s.value));
      const come = ns.filter((s) => s.touched && !os.some((x) => x.member === s.member && x.value === s.value));
      if (gone.length === 0 && come.length === 0) continue;
      const struct = [...os, ...ns].find((s) => s.struct)?.struct ?? '';
      const count = Math.max(gone.length, come.length);
      for (let k = 0; k < count; k++) {
        const a = gone[k];
        const b = come[k];
        if (a && b) slotPairs.push({ old: a, new: b, file: fs.file.path });
        changes.push({
          kind: 'ops-slot', name: table, container: struct || table,
          ...(a ? { before: `.${a.member} = ${a.value}` } : {}),
          ...(b ? { after: `.${b.member} = ${b.value}` } : {}),
          file: fs.file.path, line: (b ?? a)!.src, ...ver,
        });
      }
    }
  }

  // removed and added functions, per file
  const removed = delta.changes.filter((c) => c.kind === 'removed-function');
  const added = delta.changes.filter((c) => c.kind === 'added-function');
  const used = new Set<ApiChange>();
  const bodies = new Map<FileSides, { old: Map<string, string[]>; new: Map<string, string[]> }>();
  const bodiesOf = (fs: FileSides) => {
    let b = bodies.get(fs);
    if (!b) bodies.set(fs, (b = { old: bodyLinesByFn(fs.old), new: bodyLinesByFn(fs.new) }));
    return b;
  };
  for (const r of removed) {
    const fs = files.find((f) => f.file.path === r.file);
    if (!fs) continue;
    const oldAt = defOf(delta.oldSigs.get('fn:' + r.name), r.file);
    if (!oldAt) continue;
    if (!added.some((a) => a.file === r.file)) continue;
    const oldBody = bodiesOf(fs).old.get(r.name) ?? [];
    let best: { c: ApiChange; slot?: Slot; shared: number } | undefined;
    for (const a of added) {
      if (used.has(a) || a.file !== r.file) continue;
      const newAt = defOf(delta.newSigs.get('fn:' + a.name), a.file);
      if (!newAt) continue;
      const pair = slotPairs.find((p) => p.file === r.file && p.old.value === r.name && p.new.value === a.name);
      const newBody = bodiesOf(fs).new.get(a.name) ?? [];
      const common = shared(oldBody, newBody);
      const most = oldBody.length >= 3 && newBody.length >= 3 && common * 2 >= Math.min(oldBody.length, newBody.length);
      if (!pair && !most) continue;
      if (!best || (pair && !best.slot) || (!!pair === !!best.slot && common > best.shared)) best = { c: a, slot: pair?.new, shared: common };
    }
    if (!best) continue;
    const a = best.c;
    used.add(a);
    used.add(r);
    const newAt = defOf(delta.newSigs.get('fn:' + a.name), a.file)!;
    const pair = slotPairs.find((p) => p.file === r.file && p.old.value === r.name && p.new.value === a.name);
    changes.push({
      kind: 'conversion', name: `${r.name} -> ${a.name}`, container: r.file,
      before: signatureText(oldAt.sig), after: signatureText(newAt.sig), file: a.file, line: a.line,
      conversion: {
        from: r.name, to: a.name,
        ...(pair ? { slot: `${pair.old.struct || pair.old.table}.${pair.old.member} -> .${pair.new.member}`, table: pair.old.table } : {}),
        returnsBefore: returnConvention(fs.old, r.name, oldAt.sig.params.map((p) => p.name)),
        returnsAfter: returnConvention(fs.new, a.name, newAt.sig.params.map((p) => p.name)),
        sharedLines: best.shared,
      },
      ...ver,
    });
  }
  if (used.size) delta.changes.splice(0, delta.changes.length, ...delta.changes.filter((c) => !used.has(c)));
  delta.changes.push(...changes);
}

function defOf(list: SigAt[] | undefined, file: string): SigAt | undefined {
  return list?.find((s) => s.view.file.path === file && s.sig.kind === 'definition' && (s.view.lines[s.sig.line]?.kind === ADDED || s.view.lines[s.sig.line]?.kind === REMOVED || s.touched));
}
