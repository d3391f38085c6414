// The operation registry: maps an OpSpec `op` to the generator that runs it in a task. Modules
// register their operations at import time (see opModules.ts).

import type { OpSpec } from './spec';
import type { Step } from './step';
import type { Task } from './task';

export interface OpOutcome {
  /** e.g. "VM_FAULT_MAJOR", "SIGSEGV", "-ENOMEM", "0", "12 pages" */
  result: string;
  signal?: 'SIGSEGV' | 'SIGBUS';
  /** an operation's own status code where it has one (ACCESS_* for user accesses) */
  code?: number;
}

/** Runs one operation of a task; `index` is its position in the task's op list. */
export type OpImpl = (t: Task, op: OpSpec, index: number) => Generator<Step, OpOutcome, void>;

const registry = new Map<string, OpImpl>();

export function registerOp(name: string, impl: OpImpl): void {
  registry.set(name, impl);
}

export function getOp(name: string): OpImpl | undefined {
  return registry.get(name);
}

export function registeredOps(): string[] {
  return [...registry.keys()].sort();
}
