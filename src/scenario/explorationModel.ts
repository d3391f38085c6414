// The exploration of one scenario column: plain data, printed and emitted as JSON by the CLI
// (`mmx explore`), drawn by the webview. Built by src/scenario/exploration.ts (explorationModel).
import type { TraceEvent, VariantSelection } from '../engine/index';

import type { ExpectationOutcome } from './comparisonModel';

/** One invariant the search broke, with its minimal counterexample. */
export interface ExplorationViolation {
  invariant: string;
  message: string;
  /** minimal counterexample: task index per step, a prefix replayable with `mmx run --schedule` */
  schedule: number[];
  /** the same schedule with task names, e.g. "fault*3, dfs*2" */
  scheduleText: string;
  preemptions: number;
  /** where the replay of `schedule` reports the violation */
  step: number;
  task: string | null;
  fn: string | null;
  locksHeld: string[];
  /** the counterexample run to its end with tracing on (what the panel draws), when asked for */
  replay?: { schedule: number[]; trace: TraceEvent[] };
}

export interface Exploration {
  scenario: string;
  title: string;
  tasks: string[];
  /** the column label */
  variant: string;
  selection: VariantSelection;
  /** complete schedules explored */
  schedules: number;
  /** distinct kernel states */
  states: number;
  /** engine steps, replays included */
  steps: number;
  /** with 'dpor': revisits of explored states, not run again (their races found from the kept tree) */
  revisits: number;
  timeMs: number;
  /** the reduction used: 'dpor' (partial-order reduction), 'state' (state hashing) or 'none' */
  reduction: 'dpor' | 'state' | 'none';
  /** every schedule within the bounds covered */
  complete: boolean;
  /** why not complete: 'time-limit' | 'cancelled' | 'step-bound' | 'schedule-limit' | 'stopped-at-first' | 'random' */
  incompleteReason: string | null;
  preemptionBounded: boolean;
  cancelled: boolean;
  timedOut: boolean;
  firstViolationMs: number | null;
  violations: ExplorationViolation[];
  /** the column's violation/never/clean expectations against this search */
  expectations: ExpectationOutcome[];
  ok: boolean;
}
