// Test helper: enumerate schedules of a world by replaying step choices on fresh machines, with
// state caching (stateHash plus the number of violations so far).

import { createMachine, type EngineMachine, type MachineOptions } from '../../../src/engine/index';
import type { VariantSelection, WorldSpec } from '../../../src/engine/sim/spec';

export function replay(world: WorldSpec, variants: VariantSelection, schedule: number[], trace = false, opts: MachineOptions = {}): EngineMachine {
  const m = createMachine(world, variants, { ...opts, trace });
  for (const s of schedule) m.step(s);
  return m;
}

export interface ExploreResult {
  /** a complete schedule whose finished machine satisfies `pred`, or null */
  found: number[] | null;
  foundMachine: EngineMachine | null;
  /** complete schedules examined */
  complete: number;
  states: number;
}

export function explore(world: WorldSpec, variants: VariantSelection, pred: (m: EngineMachine) => boolean, maxStates = 20000, trace = false, opts: MachineOptions = {}): ExploreResult {
  const visited = new Set<string>();
  const stack: number[][] = [[]];
  let complete = 0;
  while (stack.length > 0) {
    const prefix = stack.pop()!;
    const m = replay(world, variants, prefix, trace, opts);
    const r = m.runnable();
    if (r.length === 0) {
      m.finish();
      complete++;
      if (pred(m)) return { found: prefix, foundMachine: m, complete, states: visited.size };
      continue;
    }
    const key = m.stateHash() + '/' + m.violations.length;
    if (visited.has(key)) continue;
    visited.add(key);
    if (visited.size > maxStates) throw new Error(`explore: more than ${maxStates} states`);
    for (let i = r.length - 1; i >= 0; i--) stack.push([...prefix, r[i]]);
  }
  return { found: null, foundMachine: null, complete, states: visited.size };
}

export const has = (inv: string) => (m: EngineMachine) => m.violations.some((v) => v.invariant === inv);
export const anyViolation = (m: EngineMachine) => m.violations.length > 0;
