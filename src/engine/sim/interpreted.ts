// Kernel functions run from C (src/kernelc): a fault variant may name, per kernel function, an
// interpreted implementation that replaces the TypeScript generator. The engine only knows the
// calling convention; compiling and binding the C is the interpreter's business.

import type { MmStruct } from '../mm/mmStruct';
import type { Page } from '../mm/page';
import type { Vma } from '../mm/vma';

import type { Step } from './step';
import type { Task } from './task';
import type { FaultRules, Variant } from './variants';

/** The fault path's common entry: (mm, vma, address, access) where access is VM_WRITE or 0; `page`
 * is the page a ->nopage hands to install_new_page(). */
export type InterpretedFault = (
  t: Task,
  mm: MmStruct,
  vma: Vma,
  address: number,
  access: number,
  page?: Page | null,
) => Generator<Step, number, void>;

/** kernel function name (do_no_page, do_anonymous_page, handle_pte_fault, install_new_page) -> implementation */
export type InterpretedFunctions = ReadonlyMap<string, InterpretedFault>;

/** What a task keeps in interpreted frames (program counters and locals): part of the state hash. */
export interface InterpretedState {
  state(): string;
}

// Interpreted variants are made at run time from C sources (a kernel tree, a patch), so they live
// beside the static catalogue rather than in it.
const byVariant = new Map<string, { variant: Variant<FaultRules>; fns: InterpretedFunctions }>();

/** a fault variant whose listed kernel functions run interpreted; the rest of the kernel follows `rules` */
export function registerInterpretedVariant(v: Variant<FaultRules>, fns: InterpretedFunctions): void {
  byVariant.set(v.name, { variant: v, fns });
}

export function interpretedVariant(name: string): Variant<FaultRules> | undefined {
  return byVariant.get(name)?.variant;
}

export function interpretedFunctions(variant: string | undefined): InterpretedFunctions | null {
  return variant === undefined ? null : (byVariant.get(variant)?.fns ?? null);
}
