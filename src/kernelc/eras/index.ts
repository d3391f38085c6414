// The era tables: one binding set per kernel era the interpreter can run.
import type { EraBindings } from '../binding';

import { linux2570 } from './linux-2.5.70';
import { linux2570mm2, linux2570mm3 } from './linux-2.5.70-mm';
import { linux2573mm1 } from './linux-2.5.73-mm1';
import { linux2611 } from './linux-2.6.11';

const ERAS: Readonly<Record<string, EraBindings>> = {
  '2.6.11': linux2611,
  '2.5.70': linux2570,
  '2.5.70-mm2': linux2570mm2,
  '2.5.70-mm3': linux2570mm3,
  '2.5.73-mm1': linux2573mm1,
};

/** eras of a whole tree (a patch made against one compiles its base there too); the -mm2/-mm3 eras
 * are the forms seed 004's patches give install_new_page, whose base is 2.5.70 */
const TREE_ERAS = new Set(['2.6.11', '2.5.70', '2.5.73-mm1']);

/** the era the base of a patch of `version` compiles against */
export function baseEraOf(version: string, override?: string): string {
  if (override) return override;
  if (TREE_ERAS.has(version)) return version;
  return /^2\.5\./.test(version) ? '2.5.70' : '2.6.11';
}

export function eraNames(): string[] {
  return Object.keys(ERAS);
}

export function eraBindings(name: string): EraBindings {
  const e = ERAS[name];
  if (!e) throw new Error(`unknown kernel era '${name}' (known: ${eraNames().join(', ')})`);
  return e;
}

/** the era a patch of `version` compiles against: its own when there is one, else the nearest base era */
export function eraOf(version: string, override?: string): string {
  if (override) return override;
  if (ERAS[version]) return version;
  return /^2\.5\./.test(version) ? '2.5.70' : '2.6.11';
}

/** the kernel functions the engine enters interpreted in the era of `version` (what "Run on the engine" offers) */
export function interpretableFunctions(version: string): string[] {
  return Object.keys(eraBindings(eraOf(version)).entries);
}
