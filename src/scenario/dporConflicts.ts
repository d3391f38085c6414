// Which steps conflict, for the partial-order reduction (dpor.ts). A step's footprint is the object keys
// it read and wrote and its lock operation (StepInfo). Footprints are interned: each distinct (task,
// reads, writes, lock operation) gets a small id, and whether two ids conflict is computed once and
// kept in a bit matrix, because the search asks it for every pair of steps it compares.
import type { StepInfo } from '../engine/index';

const STAR = 42; // '*'
const ADD = 43; // '+'

/** a key ending in '*' stands for every key it is a prefix of (a walk over a page table or a cache);
 * a key "+c:<object>" is a commutative update of class c of the object (page.ts: reference count
 * increments, decrements that leave it above zero): it conflicts with any read or plain write of the
 * object and with updates of another class, never with one of its own class */
export function overlap(x: string, k: string): boolean {
  if (x === k) return true;
  const xo = x.charCodeAt(0) === ADD ? 3 : 0;
  const ko = k.charCodeAt(0) === ADD ? 3 : 0;
  if (x.charCodeAt(x.length - 1) === STAR) return startsAt(k, ko, x, xo, x.length - xo - 1);
  if (k.charCodeAt(k.length - 1) === STAR) return startsAt(x, xo, k, ko, k.length - ko - 1);
  if ((xo | ko) === 0) return false;
  return x.length - xo === k.length - ko && startsAt(x, xo, k, ko, k.length - ko);
}

/** a key names a commutative update (see overlap) */
export function isUpdate(k: string): boolean {
  return k.charCodeAt(0) === ADD;
}

/** s from so begins with the n characters of p from po */
function startsAt(s: string, so: number, p: string, po: number, n: number): boolean {
  if (s.length - so < n) return false;
  for (let i = 0; i < n; i++) if (s.charCodeAt(so + i) !== p.charCodeAt(po + i)) return false;
  return true;
}

/** some key of `keys` names the object of `k` (or a walk over it) */
function has(keys: readonly string[], k: string): boolean {
  for (const x of keys) if (overlap(x, k)) return true;
  return false;
}

/** some write of `keys` conflicts with the write `k`: updates of one class commute */
function hasWrite(keys: readonly string[], k: string): boolean {
  const upd = isUpdate(k);
  for (const x of keys) if (!(upd && x === k) && overlap(x, k)) return true;
  return false;
}

export interface Footprint {
  readonly reads: readonly string[];
  readonly writes: readonly string[];
}

/** two steps conflict: one writes what the other reads or writes (lock operations write the lock) */
export function dependent(a: Footprint, b: Footprint): boolean {
  for (const w of a.writes) if (hasWrite(b.writes, w) || has(b.reads, w)) return true;
  for (const w of b.writes) if (has(a.reads, w)) return true;
  return false;
}

function uniq(xs: readonly string[]): string[] {
  return xs.length < 2 ? xs.slice() : [...new Set(xs)];
}

function lockTag(l: StepInfo['lock']): string {
  return l === undefined ? '' : l.op + (l.shared ? 's' : '') + (l.seq ? 'q' : '');
}

/** an acquire or release of a leaf lock (Lock.leaf): it writes a commutative update of the lock */
export function leafOp(e: { lock?: StepInfo['lock']; writes: readonly string[] }, op: 'acquire' | 'release'): boolean {
  return e.lock !== undefined && e.lock.op === op && e.writes.length > 0 && isUpdate(e.writes[0]);
}

/** The footprints one search has met, by id, and their conflicts (filled as they are asked for). */
export class ConflictTable {
  private readonly ids = new Map<string, number>();
  readonly task: number[] = [];
  readonly reads: string[][] = [];
  readonly writes: string[][] = [];
  readonly lock: StepInfo['lock'][] = [];
  /** row a: bit b set when a and b conflict; `known` says which bits are computed */
  private readonly val: Uint32Array[] = [];
  private readonly known: Uint32Array[] = [];
  /** how many ids each row has been completed for (row()) */
  private readonly full: number[] = [];
  /** words of a row (32 ids each) */
  words = 4;

  /** the id of a footprint (the arrays are copied, without repeated keys) */
  intern(task: number, reads: readonly string[], writes: readonly string[], lock: StepInfo['lock']): number {
    const key = `${task}|${reads.join(' ')}|${writes.join(' ')}|${lockTag(lock)}`;
    const got = this.ids.get(key);
    if (got !== undefined) return got;
    const id = this.task.length;
    this.ids.set(key, id);
    this.task.push(task);
    this.reads.push(uniq(reads));
    this.writes.push(uniq(writes));
    this.lock.push(lock);
    if (id >= this.words * 32) {
      this.words *= 2;
      for (let i = 0; i < id; i++) {
        this.val[i] = grow(this.val[i], this.words);
        this.known[i] = grow(this.known[i], this.words);
      }
    }
    this.val.push(new Uint32Array(this.words));
    this.known.push(new Uint32Array(this.words));
    this.full.push(0);
    return id;
  }

  /** the footprints a and b conflict */
  conflict(a: number, b: number): boolean {
    const w = b >>> 5;
    const m = 1 << (b & 31);
    if (this.known[a][w] & m) return (this.val[a][w] & m) !== 0;
    const d = dependent({ reads: this.reads[a], writes: this.writes[a] }, { reads: this.reads[b], writes: this.writes[b] });
    this.set(a, b, d);
    this.set(b, a, d);
    return d;
  }

  private set(a: number, b: number, d: boolean): void {
    const w = b >>> 5;
    const m = 1 << (b & 31);
    this.known[a][w] |= m;
    if (d) this.val[a][w] |= m;
  }

  /**
   * For sleep sets: the step `ev` wakes the sleeping step `s` (its task runs again below). A conflict
   * does; and a leaf lock's acquires stay dependent: one disables the other, so a task asleep on the
   * lock wakes when another takes it (the races themselves are found between the sections' steps).
   */
  wakes(s: number, ev: number): boolean {
    return this.conflict(s, ev) || (this.leafAcquire(s) && this.leafAcquire(ev) && this.writes[s][0] === this.writes[ev][0]);
  }

  private leafAcquire(id: number): boolean {
    return leafOp({ lock: this.lock[id], writes: this.writes[id] }, 'acquire');
  }

  /** every id that conflicts with a, as a bit set (the table's own row: read, do not keep) */
  row(a: number): Uint32Array {
    const n = this.task.length;
    for (let b = this.full[a]; b < n; b++) this.conflict(a, b);
    this.full[a] = n;
    return this.val[a];
  }
}

function grow(a: Uint32Array, words: number): Uint32Array {
  const b = new Uint32Array(words);
  b.set(a);
  return b;
}
