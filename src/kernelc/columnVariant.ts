// A run-patch column rebuilt from its C: `mmx run-patch` compiles each column in its own process; a
// process that only has the report (the editor, replaying a step for the page-table view) compiles
// the same sources and names again and registers the same interpreted variant.
import { interpretedVariant } from '../engine/sim/interpreted';
import type { CParser } from '../patch/cParser';

import { formatDiagnostic } from './diagnostic';
import { eraBindings } from './eras/index';
import { compileWith, type CSource } from './program';
import { registerKernelCVariant } from './variant';

export interface ColumnVariantSpec {
  /** the interpreted variant's name (the column's `variant`) */
  variant: string;
  era: string;
  /** the hand-written variant whose rules the TypeScript rest of the kernel follows */
  rules: string;
  description: string;
  sources: CSource[];
  /** the functions the column ran interpreted */
  names: string[];
}

/** register `spec.variant` unless it is already known; false when there is nothing to compile */
export function rebuildColumnVariant(parser: CParser, spec: ColumnVariantSpec): boolean {
  if (interpretedVariant(spec.variant)) return true;
  if (!spec.names.length || !spec.sources.length) return false;
  const program = compileWith(parser, eraBindings(spec.era), spec.sources, spec.names, { tolerant: true });
  if (program.diagnostics.length)
    throw new Error(`${spec.variant}: the column's C does not compile again: ${program.diagnostics.map(formatDiagnostic).join('; ')}`);
  registerKernelCVariant({ name: spec.variant, base: spec.rules, description: spec.description, program });
  return true;
}
