import { describe, expect, it } from 'vitest';
import { runnerCounts, stepCounts, totalLine, vitestCounts } from '../../scripts/test-summary.mjs';

describe('test summary', () => {
  it('reads vitest JSON and counts a file that failed to load as a failure', () => {
    const report = {
      numPassedTests: 7,
      numFailedTests: 1,
      numPendingTests: 2,
      numTodoTests: 1,
      testResults: [
        { status: 'failed', assertionResults: [{ status: 'failed' }, { status: 'passed' }] },
        { status: 'failed', assertionResults: [] },
        { status: 'passed', assertionResults: [{ status: 'passed' }] },
      ],
    };
    expect(vitestCounts(report)).toEqual({ passed: 7, failed: 2, pending: 3 });
    expect(vitestCounts({ passed: 1 })).toBeUndefined();
  });

  it('reads the runners own files', () => {
    expect(runnerCounts({ passed: 3, failed: 0 })).toEqual({ passed: 3, failed: 0, pending: 0 });
    expect(runnerCounts({ numPassedTests: 3 })).toBeUndefined();
  });

  it('never lets a failed step add up to zero failures', () => {
    expect(stepCounts(undefined, 1)).toEqual({ passed: 0, failed: 1, pending: 0 });
    expect(stepCounts({ passed: 4, failed: 0, pending: 0 }, 2)).toEqual({ passed: 4, failed: 1, pending: 0 });
    expect(stepCounts({ passed: 4, failed: 2, pending: 0 }, 1)).toEqual({ passed: 4, failed: 2, pending: 0 });
    expect(stepCounts(undefined, 0)).toEqual({ passed: 0, failed: 0, pending: 0 });
  });

  it('sums into the final line', () => {
    const line = totalLine([
      { passed: 10, failed: 0, pending: 1 },
      { passed: 3, failed: 1, pending: 0 },
      { passed: 4, failed: 0, pending: 0 },
    ]);
    expect(line).toBe('17 passed, 1 failed');
  });
});
