// Which names a set of kernel C functions needs from an era, and which the era does not bind: what
// must be added before the functions can run on the engine (`mmx kernelc names`).

import type { CParser } from '../patch/cParser';

import type { EraBindings } from './binding';
import type { KcDiagnostic } from './diagnostic';
import { compileWith, type CSource } from './program';

export interface NameEntry {
  name: string;
  kind: 'function' | 'field' | 'constant' | 'type' | 'hook' | 'interpreted' | 'deref';
  bound: boolean;
  /** bound to nothing the engine models (barriers, cache flushes, accounting) */
  noop: boolean;
  /** functions that use it, with the first line */
  usedBy: { fn: string; line: number }[];
}

export interface NamesReport {
  era: string;
  file: string;
  functions: { name: string; line: number; endLine: number }[];
  names: NameEntry[];
  unbound: string[];
  /** constructs outside the subset, parse problems, missing functions (unbound names are in `names`) */
  problems: KcDiagnostic[];
}

export function namesReport(parser: CParser, era: EraBindings, source: CSource, functions?: readonly string[]): NamesReport {
  const p = compileWith(parser, era, [source], functions, { tolerant: true });
  const byName = new Map<string, NameEntry>();
  const fns = [...p.fns.values()].sort((a, b) => a.line - b.line);
  for (const fn of fns) {
    for (const [name, u] of fn.uses) {
      let e = byName.get(name);
      if (!e) byName.set(name, (e = { name, kind: u.kind, bound: u.bound, noop: !!u.noop, usedBy: [] }));
      e.usedBy.push({ fn: fn.name, line: u.line });
    }
  }
  const names = [...byName.values()].sort(
    (a, b) => Number(a.bound) - Number(b.bound) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name),
  );
  return {
    era: era.era,
    file: source.file,
    functions: fns.map((f) => ({ name: f.name, line: f.line, endLine: f.endLine })),
    names,
    unbound: names.filter((n) => !n.bound).map((n) => n.name),
    problems: p.diagnostics.filter((d) => d.kind !== 'unbound'),
  };
}
