// The in-host entry (index.ts) ends its output with `[mmx-integration] {"passed":N,"failed":N,"pending":N}`;
// the launchers read the counts back from it.
export interface Summary {
  passed: number;
  failed: number;
  pending: number;
}

/** The last valid summary line in `output`, or undefined when the tests module never finished. */
export function parseSummary(output: string): Summary | undefined {
  let found: Summary | undefined;
  for (const line of output.split('\n')) {
    const m = /^\[mmx-integration\] (\{.*\})\s*$/.exec(line);
    if (!m) continue;
    try {
      const o = JSON.parse(m[1]) as Partial<Summary>;
      if (typeof o.passed === 'number' && typeof o.failed === 'number') {
        found = { passed: o.passed, failed: o.failed, pending: typeof o.pending === 'number' ? o.pending : 0 };
      }
    } catch {
      // not JSON after all: keep the last valid line
    }
  }
  return found;
}
