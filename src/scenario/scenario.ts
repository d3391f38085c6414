// What a *.mmscenario.yaml file declares, once loaded and checked: the world, the variant columns to
// compare, an optional default schedule and bounds, and the expectation per column.
import type { VariantSelection, WorldSpec } from '../engine/index';

export interface SourcePos {
  line: number;
  column: number;
}

export interface VariantColumn {
  /** the label the scenario gives the column, e.g. "2.5.70" */
  label: string;
  selection: VariantSelection;
}

export interface ResultExpectation {
  task: string;
  op: number;
  /** exact result text, e.g. "VM_FAULT_MAJOR" */
  result?: string;
  /** substring of the result text */
  contains?: string;
}

export interface SignalExpectation {
  task: string;
  op?: number;
  signal: 'SIGSEGV' | 'SIGBUS' | 'none';
}

export interface LockOpExpectation {
  fn?: string;
  lock: string;
  count?: number;
  min?: number;
  max?: number;
}

/** One column's expectation, like the Result line of a herd7 litmus test. */
export interface Expectation {
  /** some schedule within the bounds violates each of these */
  violation?: string[];
  /** no schedule violates these ('any' = every invariant); needs a complete search */
  never?: string[];
  /** no schedule violates anything; needs a complete search */
  clean?: boolean;
  /** checked on the default schedule */
  results?: ResultExpectation[];
  signals?: SignalExpectation[];
  lockOps?: LockOpExpectation[];
  /** where the entry is written, for reports */
  pos?: SourcePos;
}

export interface ExploreBounds {
  steps?: number;
  preemptions?: number;
}

export interface Scenario {
  /** file name as given to the loader */
  file: string;
  title: string;
  description: string;
  /** the world including its tasks, as the engine takes it */
  world: WorldSpec;
  columns: VariantColumn[];
  /** default schedule (task indices), a prefix; the rest runs in the default order */
  schedule?: number[];
  /** or: the default schedule is the first counterexample found in this column (of this invariant) */
  scheduleFrom?: { column: string; invariant?: string };
  bounds: ExploreBounds;
  /** column label -> expectation */
  expect: Record<string, Expectation>;
}

export const PAGE_SIZE = 4096;
