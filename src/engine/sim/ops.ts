// The operations a task runs, one static table keyed by OpSpec['op']: an operation of the spec
// without an implementation is a compile error. The system calls and user accesses are in
// userOps.ts, the get_user_pages family and the release of pinned pages in gupOps.ts.

import type { OpSpec } from './spec';
import type { Step } from './step';
import type { Task } from './task';
import { USER_OPS } from './userOps';
import { GUP_OPS } from './gupOps';

export interface OpOutcome {
  /** e.g. "VM_FAULT_MAJOR", "SIGSEGV", "-ENOMEM", "0", "12 pages" */
  result: string;
  signal?: 'SIGSEGV' | 'SIGBUS';
  /** an operation's own status code where it has one (ACCESS_* for user accesses) */
  code?: number;
}

export type OpName = OpSpec['op'];

/** the OpSpec members an operation name covers ('read' is one of 'read' | 'write' | 'exec') */
export type OpOf<K extends OpName> = OpSpec extends infer S ? (S extends { op: infer O } ? (K extends O ? S : never) : never) : never;

/** Runs one operation of a task; `index` is its position in the task's op list. */
export type OpImpl<K extends OpName = OpName> = (t: Task, op: OpOf<K>, index: number) => Generator<Step, OpOutcome, void>;

export type OpTable = { readonly [K in OpName]: OpImpl<K> };

/** An operation outside the spec (tests: a deliberately buggy kernel function), see MachineOptions.extraOps. */
export type ExtraOp = (t: Task, op: { op: string }, index: number) => Generator<Step, OpOutcome, void>;

export const OPS: OpTable = { ...USER_OPS, ...GUP_OPS } satisfies OpTable;

/** the names of the engine's operations, sorted */
export function opNames(): OpName[] {
  return (Object.keys(OPS) as OpName[]).sort();
}

/** the implementation of an operation of the spec */
export function opImpl<K extends OpName>(op: OpOf<K> & { op: K }): OpImpl<K> {
  return OPS[op.op];
}
