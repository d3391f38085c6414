// An interpreted fault variant: an era plus the C of some kernel functions. The functions the era
// can enter from the engine (handle_pte_fault, do_no_page, do_anonymous_page, ...) replace their
// TypeScript generators; the rest of the kernel follows the base variant's rules.

import type { MmStruct } from '../engine/mm/mmStruct';
import type { Page } from '../engine/mm/page';
import type { Vma } from '../engine/mm/vma';
import { registerInterpretedVariant, type InterpretedFault } from '../engine/sim/interpreted';
import type { Step } from '../engine/sim/step';
import type { Task } from '../engine/sim/task';
import { getVariant } from '../engine/sim/variants';

import { runFunction } from './compile';
import type { KernelCProgram } from './program';

export interface KernelCVariantSpec {
  name: string;
  description: string;
  /** the fault variant whose rules the TypeScript rest of the kernel follows (e.g. truncate-seq) */
  base: string;
  seed?: string;
  program: KernelCProgram;
}

/** the engine entries of a program: kernel function name -> generator */
export function interpretedEntries(program: KernelCProgram): Map<string, InterpretedFault> {
  const out = new Map<string, InterpretedFault>();
  const era = program.era;
  for (const [name, fn] of program.fns) {
    const entry = era.entries[name];
    if (!entry) continue;
    out.set(name, function* (t: Task, mm: MmStruct, vma: Vma, address: number, access: number, page?: Page | null): Generator<
      Step,
      number,
      void
    > {
      const r = yield* runFunction(fn, t, entry.args(fn.params, mm, vma, address, access, page), era);
      return entry.result(r);
    });
  }
  return out;
}

export function registerKernelCVariant(spec: KernelCVariantSpec): void {
  const base = getVariant('fault', spec.base);
  if (!base) throw new Error(`interpreted variant ${spec.name}: unknown base fault variant '${spec.base}'`);
  registerInterpretedVariant(
    { name: spec.name, family: 'fault', seed: spec.seed ?? base.seed, description: spec.description, rules: base.rules },
    interpretedEntries(spec.program),
  );
}
