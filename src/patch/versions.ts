// Versions of a patch in one thread (v1/v2, or the same patch rediffed against -mm2 and -mm3):
// group the patches by version, pair the patches of consecutive versions the way git range-diff
// does (minimum-cost assignment on the size of the diff between the two diffs, with a creation cost
// for unpaired patches), and inside each pair, pair the files and diff their hunks.
import type { Analysis } from './analysisModel';
import { ADDED, REMOVED, type FileDiff } from './diffReader';

export interface PatchUnit {
  subject: string;
  title: string;
  version: string;
  files: FileDiff[];
}

const changedCache = new WeakMap<FileDiff, string[]>();

/** The changed lines of a file diff, as range-diff compares them (context left out, whitespace squashed). */
function changedLines(f: FileDiff): string[] {
  const hit = changedCache.get(f);
  if (hit) return hit;
  const out: string[] = [];
  changedCache.set(f, out);
  for (const h of f.hunks) {
    for (const l of h.lines) {
      if (l.kind === ADDED || l.kind === REMOVED) out.push((l.kind === ADDED ? '+' : '-') + l.text.replace(/\s+/g, ' ').trim());
    }
  }
  return out;
}

/** Lines of a that are not in b and of b not in a (multiset), up to `limit` each. */
function lineDelta(a: string[], b: string[], limit = 1e9): { removed: string[]; added: string[] } {
  const count = new Map<string, number>();
  for (const x of a) count.set(x, (count.get(x) ?? 0) + 1);
  const added: string[] = [];
  for (const y of b) {
    const c = count.get(y) ?? 0;
    if (c > 0) count.set(y, c - 1);
    else if (added.length < limit) added.push(y);
  }
  const removed: string[] = [];
  const left = new Map(count);
  for (const x of a) {
    const c = left.get(x) ?? 0;
    if (c > 0) {
      left.set(x, c - 1);
      if (removed.length < limit) removed.push(x);
    }
  }
  return { removed, added };
}

function unitLines(u: PatchUnit): string[] {
  const out: string[] = [];
  for (const f of u.files) {
    out.push('F' + f.path);
    for (const l of changedLines(f)) out.push(l);
  }
  return out;
}

/** Minimum-cost assignment (Hungarian algorithm, square matrix). */
function assign(cost: number[][]): number[] {
  const n = cost.length;
  const INF = 1e18;
  const u = new Array<number>(n + 1).fill(0);
  const v = new Array<number>(n + 1).fill(0);
  const p = new Array<number>(n + 1).fill(0);
  const way = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Array<number>(n + 1).fill(INF);
    const used = new Array<boolean>(n + 1).fill(false);
    do {
      used[j0] = true;
      const i0 = p[j0];
      let delta = INF;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = cost[i0 - 1][j - 1] - u[i0] - v[j];
        if (cur < minv[j]) { minv[j] = cur; way[j] = j0; }
        if (minv[j] < delta) { delta = minv[j]; j1 = j; }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) { u[p[j]] += delta; v[j] -= delta; } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  const match = new Array<number>(n).fill(-1);
  for (let j = 1; j <= n; j++) if (p[j] > 0) match[p[j] - 1] = j - 1;
  return match;
}

/** range-diff's pairing: cost = size of the diff between the patches; creating or deleting a patch costs 60% of its size. */
export function pairPatches(a: PatchUnit[], b: PatchUnit[], creationFactor = 0.6): [number, number][] {
  const la = a.map(unitLines);
  const lb = b.map(unitLines);
  const n = a.length + b.length;
  if (n === 0 || n > 400) return [];
  const cost: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let j = 0; j < n; j++) {
      if (i < a.length && j < b.length) {
        const d = lineDelta(la[i], lb[j]);
        row.push(d.added.length + d.removed.length);
      } else if (i < a.length) row.push(Math.ceil(la[i].length * creationFactor));
      else if (j < b.length) row.push(Math.ceil(lb[j].length * creationFactor));
      else row.push(0);
    }
    cost.push(row);
  }
  const m = assign(cost);
  const out: [number, number][] = [];
  for (let i = 0; i < a.length; i++) if (m[i] >= 0 && m[i] < b.length) out.push([i, m[i]]);
  return out;
}

/** Group patches by version and pair consecutive versions. */
export function versionPairs(units: PatchUnit[]): NonNullable<Analysis['versionPairs']> {
  const order: string[] = [];
  const byVersion = new Map<string, PatchUnit[]>();
  for (const u of units) {
    if (!byVersion.has(u.version)) {
      byVersion.set(u.version, []);
      order.push(u.version);
    }
    byVersion.get(u.version)!.push(u);
  }
  const out: NonNullable<Analysis['versionPairs']> = [];
  for (let k = 0; k + 1 < order.length; k++) {
    const A = byVersion.get(order[k])!;
    const B = byVersion.get(order[k + 1])!;
    const pairs = pairPatches(A, B);
    const entry = { from: order[k], to: order[k + 1], pairs: [] as NonNullable<Analysis['versionPairs']>[number]['pairs'] };
    const pairedA = new Set<number>();
    const pairedB = new Set<number>();
    for (const [i, j] of pairs) {
      pairedA.add(i);
      pairedB.add(j);
      const files = pairFiles(A[i].files, B[j].files);
      entry.pairs.push({ a: A[i].subject, b: B[j].subject, changed: files.some((f) => f.changed), files });
    }
    A.forEach((u, i) => { if (!pairedA.has(i)) entry.pairs.push({ a: u.subject, b: '', changed: true }); });
    B.forEach((u, j) => { if (!pairedB.has(j)) entry.pairs.push({ a: '', b: u.subject, changed: true }); });
    out.push(entry);
  }
  return out;
}

function pairFiles(a: FileDiff[], b: FileDiff[]): { a: string; b: string; changed: boolean; interdiff?: string[] }[] {
  const out: { a: string; b: string; changed: boolean; interdiff?: string[] }[] = [];
  const bByPath = new Map<string, FileDiff[]>();
  for (const f of b) bByPath.set(f.path, (bByPath.get(f.path) ?? []).concat(f));
  const used = new Set<FileDiff>();
  for (const fa of a) {
    const fb = (bByPath.get(fa.path) ?? []).find((x) => !used.has(x));
    if (!fb) {
      out.push({ a: fa.path, b: '', changed: true, interdiff: changedLines(fa).slice(0, 40).map((l) => '-' + l) });
      continue;
    }
    used.add(fb);
    const d = lineDelta(changedLines(fa), changedLines(fb), 40);
    const changed = d.added.length + d.removed.length > 0;
    out.push({ a: fa.path, b: fb.path, changed, ...(changed ? { interdiff: d.removed.map((l) => '-' + l).concat(d.added.map((l) => '+' + l)) } : {}) });
  }
  for (const fb of b) if (!used.has(fb)) out.push({ a: '', b: fb.path, changed: true, interdiff: changedLines(fb).slice(0, 40).map((l) => '+' + l) });
  return out;
}
