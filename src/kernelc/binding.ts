// The shape of an era's bindings: how the names kernel C uses (primitives and macros, struct fields,
// constants, hook members, and the engine's entry points) map onto the engine's objects. A binding
// that takes a lock, sleeps, or reads or writes shared kernel state announces a step where the
// TypeScript kernel function does (`if (t.spinLock(l)) yield t.step;`), so schedules line up.

import type { MmStruct } from '../engine/mm/mmStruct';
import type { Page } from '../engine/mm/page';
import type { Vma } from '../engine/mm/vma';
import type { Step } from '../engine/sim/step';
import type { Task } from '../engine/sim/task';

import type { CType } from './cType';
import type { CFunction } from './compile';

/** What a primitive sees of its call site. */
export interface CallSite {
  readonly t: Task;
  /** "mm/memory.c:1873" */
  readonly loc: string;
  /** the call's text, for step labels and messages */
  readonly text: string;
  /** a local of the caller (some primitives need the caller's mm or address) */
  local(name: string): unknown;
  /** an interpreted function of the same program (run it with runFunction) */
  interpreted(name: string): CFunction | undefined;
}

export interface FnBinding {
  ret: CType;
  /** positions of arguments passed as their token text, not evaluated (inc_page_state(pgmajfault)) */
  tokens?: readonly number[];
  /** a primitive with no interleaving point */
  run?: (c: CallSite, args: unknown[]) => unknown;
  /** a primitive that announces steps */
  gen?: (c: CallSite, args: unknown[]) => Generator<Step, unknown, void>;
  /** no engine effect (flush_*, barriers, accounting): kept apart so the names report can say so */
  noop?: boolean;
  doc: string;
}

export interface FieldBinding {
  type: CType;
  get?: (obj: never, c: CallSite) => unknown;
  set?: (obj: never, v: unknown, c: CallSite) => void;
  /** `&obj->field` (locks, embedded objects) */
  addr?: (obj: never) => unknown;
  /** announce a step before the read (shared state another task can change), true if it did */
  announceRead?: (c: CallSite, obj: never) => boolean;
  doc?: string;
}

export interface ConstBinding {
  type: CType;
  value: unknown;
  /** a value that depends on the running task (`current`) */
  get?: (c: CallSite) => unknown;
}

/** a call through a function-pointer member, e.g. vm_operations_struct.nopage */
export interface HookBinding {
  ret: CType;
  call: (c: CallSite, target: unknown, args: unknown[]) => Generator<Step, unknown, void>;
  doc: string;
}

/** how the engine's fault-path call (mm, vma, address, access) becomes the C function's arguments */
export interface EntryBinding {
  args: (
    params: readonly { name: string; type: CType }[],
    mm: MmStruct,
    vma: Vma,
    address: number,
    access: number,
    page?: Page | null,
  ) => unknown[];
  /** the C return value as the engine's VM_FAULT_* number */
  result: (v: unknown) => number;
}

export interface EraBindings {
  era: string;
  /** typedef name -> type (pte_t, pgoff_t, ...) */
  typedefs: Readonly<Record<string, CType>>;
  /** struct name -> field name -> binding */
  structs: Readonly<Record<string, Readonly<Record<string, FieldBinding>>>>;
  functions: Readonly<Record<string, FnBinding>>;
  constants: Readonly<Record<string, ConstBinding>>;
  /** "struct.member" -> hook call */
  hooks: Readonly<Record<string, HookBinding>>;
  /** kernel functions the engine can dispatch to C */
  entries: Readonly<Record<string, EntryBinding>>;
  /** trace text for a function's return value (exit events) */
  retText?: (fn: string, v: unknown) => string | undefined;
}

/** a function pointer read from a hook member: the member's name and the engine's implementation */
export class HookPtr {
  constructor(
    readonly hook: string,
    readonly target: unknown,
    readonly owner: string,
  ) {}
  stateKey(): string {
    return `${this.owner}.${this.hook}`;
  }
}
