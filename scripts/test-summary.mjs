// Reads the counts each test runner leaves in .test-output/ (vitest's JSON reporter, and the
// { passed, failed, pending } files of the webview and integration runners).

/** Counts from vitest's JSON report, or undefined when it is not one. */
export function vitestCounts(report) {
  if (!report || typeof report.numPassedTests !== 'number' || typeof report.numFailedTests !== 'number') return undefined;
  // a test file that fails to load has no failed tests but a failed suite
  const brokenFiles = (report.testResults ?? []).filter(
    (r) => r.status === 'failed' && (r.assertionResults ?? []).every((a) => a.status !== 'failed'),
  ).length;
  return {
    passed: report.numPassedTests,
    failed: report.numFailedTests + brokenFiles,
    pending: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
  };
}

/** Counts from the { passed, failed, pending } file our own runners write. */
export function runnerCounts(report) {
  if (!report || typeof report.passed !== 'number' || typeof report.failed !== 'number') return undefined;
  return { passed: report.passed, failed: report.failed, pending: report.pending ?? 0 };
}

/**
 * A step's counts given how it exited: a runner that failed without reporting a failure (crashed,
 * did not build, found no tests) counts as one failure, so the total never hides a broken step.
 */
export function stepCounts(counts, exitCode) {
  const c = counts ?? { passed: 0, failed: 0, pending: 0 };
  return exitCode !== 0 && c.failed === 0 ? { ...c, failed: 1 } : c;
}

export function totalLine(steps) {
  const passed = steps.reduce((n, s) => n + s.passed, 0);
  const failed = steps.reduce((n, s) => n + s.failed, 0);
  return `${passed} passed, ${failed} failed`;
}
