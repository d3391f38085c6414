// "did you mean ...?" for a misspelled name: the closest known name by edit distance (a swap of two
// neighbouring letters counts as one edit), if it is close enough to be a likely typo.

/** optimal string alignment distance, stopping early once it exceeds `limit` */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur.push(d);
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > limit) return limit + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length];
}

/** The known name closest to `name`, or undefined when none is a plausible typo of it. */
export function closest(name: string, known: Iterable<string>): string | undefined {
  if (name.length < 3) return undefined;
  const limit = Math.max(1, Math.min(3, Math.floor(name.length / 3)));
  let best: string | undefined;
  let bestD = limit + 1;
  const lower = name.toLowerCase();
  for (const k of known) {
    if (k === name) return k;
    const d = k.toLowerCase() === lower ? 0.5 : editDistance(lower, k.toLowerCase(), limit);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

/** " (did you mean 'x'?)" or "" */
export function didYouMean(name: string, known: Iterable<string>): string {
  const c = closest(name, known);
  return c === undefined ? '' : ` (did you mean '${c}'?)`;
}
