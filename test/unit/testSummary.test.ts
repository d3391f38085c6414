import { describe, expect, it } from 'vitest';

import { runnerCounts, stepCounts, totalLine, vitestCounts } from '../../scripts/test-summary.mjs';
import { parseSummary } from '../integration/summary';

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

describe('integration summary line', () => {
  it('takes the last valid summary the in-host entry printed', () => {
    const out = [
      '[mmx-integration] VS Code 1.100.3 (code-server, ui web), Node 20.20.2',
      '  ✔ a test',
      '[mmx-integration] {"passed":1,"failed":0,"pending":0}',
      '[mmx-integration] {not json}',
      '[mmx-integration] {"passed":5,"failed":2}',
      '',
    ].join('\n');
    expect(parseSummary(out)).toEqual({ passed: 5, failed: 2, pending: 0 });
  });

  it('finds none when the tests module never finished', () => {
    expect(parseSummary('[mmx-integration] VS Code 1.100.3\n  ✔ a test\n')).toBeUndefined();
    expect(parseSummary('  [mmx-integration] {"passed":1,"failed":0}')).toBeUndefined();
  });
});
