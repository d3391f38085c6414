// The era tables: one binding set per kernel era the interpreter can run.
import type { EraBindings } from '../binding';

import { linux2570mm2, linux2570mm3 } from './linux-2.5.70-mm';
import { linux2611 } from './linux-2.6.11';
import { linux2570 } from './linux-2.5.70';

const ERAS: Readonly<Record<string, EraBindings>> = { '2.6.11': linux2611, '2.5.70': linux2570, '2.5.70-mm2': linux2570mm2, '2.5.70-mm3': linux2570mm3 };

export function eraNames(): string[] {
  return Object.keys(ERAS);
}

export function eraBindings(name: string): EraBindings {
  const e = ERAS[name];
  if (!e) throw new Error(`unknown kernel era '${name}' (known: ${eraNames().join(', ')})`);
  return e;
}
