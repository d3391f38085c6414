// The comparison of one scenario under several variants: plain data, drawn by the webview,
// printed by the CLI, exported as JSON/HTML. Built by src/scenario (compareVariants).
import type { MachineSnapshot, OpResult, TraceEvent, VariantSelection, Violation } from '../engine/index';

export interface ExpectationOutcome {
  /** the expect entry as written, e.g. "violation: stale-pte" or "never: stale-pte" */
  text: string;
  met: boolean;
  detail: string;
  /** not met because the run was cancelled or a search stopped early (time limit, bounds): neither held nor broken */
  undecided?: true;
  /** what the entry speaks of: every schedule within the bounds (never, clean: true), some schedule
   * (violation, clean: false), or one run (results, signals, lockOps: the scenario's default schedule);
   * absent in comparisons saved before outcomes carried it */
  scope?: ExpectationScope;
  /** scope 'run': the schedule it was checked on, as the scenario defines its default ("default order",
   * "scenario schedule", "counterexample of 2.5.70") */
  on?: string;
  /** scope 'run', where a run is shown with the verdict (a comparison's run card, `mmx run`): whether it
   * is the run checked (`same`), and the same entry checked on the run shown. A comparison's runs share
   * one schedule (the first counterexample found), which need not be the scenario's default. */
  shown?: { same: boolean; met: boolean; detail: string };
}

export type ExpectationScope = 'all schedules' | 'some schedule' | 'run';

export interface VariantRun {
  /** the label the scenario gave this column, e.g. "2.5.70" */
  label: string;
  variants: VariantSelection;
  /** the schedule that produced this run: task index per step (replayable) */
  schedule: number[];
  trace: TraceEvent[];
  violations: Violation[];
  results: OpResult[];
  /** final state */
  snapshot: MachineSnapshot;
  /** kernel function -> lock operation ("spin_lock(page_table_lock)") -> count */
  lockOps: Record<string, Record<string, number>>;
  expectations: ExpectationOutcome[];
  /** the exploration of this column, when one ran */
  exploration?: ExplorationSummary;
}

export interface ExplorationSummary {
  schedules: number;
  states: number;
  complete: boolean;
  timeMs: number;
  /** one per invariant, each with its minimal counterexample schedule (replayable) */
  violations: { invariant: string; message: string; schedule: number[] }[];
}

export interface InvariantRow {
  invariant: string;
  /** per run, in column order: number of violations (0 = held) */
  counts: number[];
  /** per run, from its exploration: 'violated' | 'held' (complete search) | 'not found' (incomplete) | 'not explored' */
  explored?: string[];
}

export interface Divergence {
  /** scheduler step at which the traces first differ */
  step: number;
  /** index into each run's trace of the first differing event (-1 if that trace ended) */
  eventIndex: number[];
  summary: string;
}

export interface Comparison {
  scenario: string;
  title: string;
  description: string;
  tasks: string[];
  runs: VariantRun[];
  invariants: InvariantRow[];
  firstDivergence: Divergence | null;
  /** the schedule every run followed (where its task could run) and where it came from */
  schedule?: { source: string; schedule: number[]; text: string };
  /** set when the run was cancelled: what was asked for; the runs are the columns that finished */
  partial?: { reason: 'cancelled'; requested: string[] };
}
