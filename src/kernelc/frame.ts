// Frames of interpreted kernel C: a program counter plus one slot per local (parameters first).
// A task's live frames form its C stack, which is part of the explorer's state hash: two states
// that differ only in a sampled truncate_count or a pte value read earlier are different states.

import type { InterpretedState } from '../engine/sim/interpreted';
import type { Task } from '../engine/sim/task';

import type { CFunction } from './compile';

export class Frame {
  pc = 0;
  readonly slots: unknown[];
  /** the call site a primitive runs for (set just before the call: no allocation per call) */
  loc = '';
  text = '';
  constructor(
    readonly fn: CFunction,
    readonly t: Task,
  ) {
    this.slots = fn.slotInit.slice();
  }
  /** an interpreted function of the same program, for a hook whose implementation is C too */
  interpreted(name: string): CFunction | undefined {
    return this.fn.linker.fn(name);
  }
  /** a local by name (bindings that need the caller's mm or address, e.g. page_add_file_rmap) */
  local(name: string): unknown {
    const i = this.fn.slotNames.indexOf(name);
    return i < 0 ? undefined : this.slots[i];
  }
}

/** `&local`: an out-parameter (`&ret`, `&ptl`) */
export class LocalRef {
  constructor(
    readonly frame: Frame,
    readonly slot: number,
  ) {}
  get(): unknown {
    return this.frame.slots[this.slot];
  }
  set(v: unknown): void {
    this.frame.slots[this.slot] = v;
  }
}

/** A value's identity for the state hash: engine objects by their names, numbers as they are. */
export function valueKey(v: unknown): string {
  if (v === null || v === undefined) return '0';
  switch (typeof v) {
    case 'number':
      return String(v);
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
      return v ? '1' : '0';
    case 'object': {
      const k = (v as { stateKey?: () => string }).stateKey;
      if (typeof k === 'function') return k.call(v);
      if (v instanceof LocalRef) return `&${v.frame.fn.slotNames[v.slot]}`;
      const o = v as Record<string, unknown>;
      if (typeof o.pfn === 'number') return `pg${o.pfn}`;
      if (typeof o.key === 'string') return o.key;
      if (typeof o.pteKey === 'string') return `mm:${String(o.name)}`;
      if (typeof o.start === 'number' && typeof o.end === 'number') return `vma@${o.start}`;
      if (typeof o.slotKey === 'string') return o.slotKey;
      if (typeof o.name === 'string') return o.name;
      return 'obj';
    }
    default:
      return typeof v;
  }
}

/** The C stack of a task. */
export class CStack implements InterpretedState {
  readonly frames: Frame[] = [];
  state(): string {
    let s = '';
    for (const f of this.frames) {
      s += `${f.fn.name}@${f.pc}(`;
      const n = f.slots.length;
      for (let i = 0; i < n; i++) s += (i ? ',' : '') + valueKey(f.slots[i]);
      s += ')';
    }
    return s;
  }
}

export function stackOf(t: Task): CStack {
  let s = t.interp as CStack | null;
  if (s === null) {
    s = new CStack();
    t.interp = s;
  }
  return s;
}
