// A unified diff of two texts (line LCS, `context` lines around each change), as diff -u writes it:
// what an edited kernel function is saved as, so that the edit is a patch a reviewer can read,
// share and run again. Inputs are bounded: past `maxLines` a side, the whole span is one hunk.

export interface DiffOptions {
  oldPath: string;
  newPath: string;
  /** 1-based line of the texts' first line in their file (a function inside mm/memory.c) */
  firstLine?: number;
  context?: number;
  maxLines?: number;
}

type Op = { k: ' ' | '-' | '+'; text: string; a: number; b: number };

function ops(a: readonly string[], b: readonly string[], maxLines: number): Op[] {
  const n = a.length;
  const m = b.length;
  if (n > maxLines || m > maxLines)
    return [...a.map((text, i) => ({ k: '-' as const, text, a: i, b: 0 })), ...b.map((text, j) => ({ k: '+' as const, text, a: n, b: j }))];
  // suffix LCS lengths
  const L: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) L[i][j] = a[i] === b[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const out: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) out.push({ k: ' ', text: a[i], a: i++, b: j++ });
    else if (j < m && (i === n || L[i][j + 1] >= L[i + 1][j])) out.push({ k: '+', text: b[j], a: i, b: j++ });
    else out.push({ k: '-', text: a[i], a: i++, b: j });
  }
  return out;
}

/** the diff, '' when the texts are equal */
export function unifiedDiff(oldText: string, newText: string, opts: DiffOptions): string {
  const strip = (t: string): string[] => (t.endsWith('\n') ? t.slice(0, -1) : t).split('\n');
  const a = strip(oldText);
  const b = strip(newText);
  const ctx = opts.context ?? 3;
  const first = opts.firstLine ?? 1;
  const list = ops(a, b, opts.maxLines ?? 5000);
  const changed = list.map((o, i) => (o.k !== ' ' ? i : -1)).filter((i) => i >= 0);
  if (!changed.length) return '';
  // group changes whose context windows touch
  const groups: [number, number][] = [];
  for (const c of changed) {
    const last = groups[groups.length - 1];
    if (last && c - last[1] <= 2 * ctx) last[1] = c;
    else groups.push([c, c]);
  }
  const lines = [`--- ${opts.oldPath}`, `+++ ${opts.newPath}`];
  for (const [s, e] of groups) {
    const lo = Math.max(0, s - ctx);
    const hi = Math.min(list.length - 1, e + ctx);
    const span = list.slice(lo, hi + 1);
    const oldCount = span.filter((o) => o.k !== '+').length;
    const newCount = span.filter((o) => o.k !== '-').length;
    const oldStart = (span.find((o) => o.k !== '+')?.a ?? list[lo].a) + first - (oldCount === 0 ? 1 : 0);
    const newStart = (span.find((o) => o.k !== '-')?.b ?? list[lo].b) + first - (newCount === 0 ? 1 : 0);
    lines.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`);
    for (const o of span) lines.push(o.k + o.text);
  }
  return lines.join('\n') + '\n';
}
