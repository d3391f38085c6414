// The typed, compact event log. Emission is guarded by `Task.tracing` at call sites, so a run
// with tracing off builds no strings and no arrays for events.

import type { TraceEvent, TraceKind, Violation } from './spec';

export class Trace {
  readonly events: TraceEvent[] = [];
  constructor(public enabled: boolean) {}
  push(step: number, task: number, kind: TraceKind, fn: string, detail: string, locks: string[], src?: string | null): void {
    if (src) this.events.push({ seq: this.events.length, step, task, kind, fn, detail, locks, src });
    else this.events.push({ seq: this.events.length, step, task, kind, fn, detail, locks });
  }
}

/** Violations are recorded, never thrown; identical ones (same invariant and message) once. */
export class ViolationLog {
  readonly list: Violation[] = [];
  private readonly seen = new Set<string>();
  add(v: Violation): boolean {
    const k = v.invariant + '\u0000' + v.message;
    if (this.seen.has(k)) return false;
    this.seen.add(k);
    this.list.push(v);
    return true;
  }
  has(invariant: string): boolean {
    return this.list.some((v) => v.invariant === invariant);
  }
}
