// The exit codes of mmx (README, section CLI): 0 every expectation met, 1 an expectation failed,
// 2 bad input, 3 an expectation could not be decided because a search stopped early (time limit,
// bounds) and none failed.
import type { ExpectationOutcome } from '../scenario/comparisonModel';
import { outcomeOf } from '../scenario/expectations';

export const EXIT_MET = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_UNDECIDED = 3;

/** the exit code for what the expectations came to; bad input wins, then a failure, then undecided */
export function exitFor(outcomes: readonly ExpectationOutcome[], badInput = false): number {
  if (badInput) return EXIT_BAD_INPUT;
  const o = outcomeOf(outcomes);
  return o === 'failed' ? EXIT_FAILED : o === 'undecided' ? EXIT_UNDECIDED : EXIT_MET;
}
