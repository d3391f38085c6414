// Plain-text tables and figures for the terminal.
import type { ExpectationOutcome } from '../scenario/comparisonModel';
import { detailText, scopeSuffix } from '../scenario/expectations';

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function table(header: string[] | null, rows: string[][]): string {
  const all = header ? [header, ...rows] : rows;
  if (all.length === 0) return '';
  const n = Math.max(...all.map((r) => r.length));
  const widths = Array.from({ length: n }, (_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : (c ?? '').padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out = all.map(line);
  if (header) out.splice(1, 0, widths.map((w, i) => '-'.repeat(i === n - 1 ? Math.max(w, header[i]?.length ?? 0) : w)).join('  '));
  return out.join('\n');
}

export function ms(t: number): string {
  return t < 10 ? `${t.toFixed(2)} ms` : t < 1000 ? `${t.toFixed(1)} ms` : `${(t / 1000).toFixed(2)} s`;
}

/** one line per expectation: met or FAILED, what it says, what it speaks of, why */
export function expectationLines(list: ExpectationOutcome[], indent = '  '): string[] {
  return list.map(
    (x) => `${indent}${x.met ? 'met   ' : x.undecided ? 'UNDECIDED' : 'FAILED'}  expect ${x.text}${scopeSuffix(x)}: ${detailText(x)}`,
  );
}
