// Locks with holders. Acquisition is performed by the scheduler when a task's announced step runs
// (see Task.perform), so a task blocked on a lock is simply not runnable. The checks lockdep and
// sparse would make live in lockdep.ts; locks here only know who holds them.

import type { StateSink } from './stateHash';
import type { Task } from './task';

export type LockKind = 'spinlock' | 'rwsem' | 'semaphore' | 'page_lock' | 'seqcount' | 'dfs_token';

let nextLockId = 1;

/**
 * The kernel's documented nesting (2.6.11 mm/rmap.c and mm/filemap.c lock-ordering comments): a class
 * -> the classes that must not be held when it is taken (they nest inside it). Lockdep names taking
 * an outer lock under an inner one an inversion even before a second task shows the other order. A
 * trylock (mremap's spin_trylock of i_mmap_lock under page_table_lock) is the kernel's way around it.
 */
const NESTS_OUTSIDE: Readonly<Record<string, readonly string[]>> = {
  i_mmap_lock: ['anon_vma_lock', 'page_table_lock'],
  i_shared_sem: ['page_table_lock'],
  anon_vma_lock: ['page_table_lock'],
};

type Verbs = readonly [string, string, string, string];
const SPIN_VERBS: Verbs = Object.freeze(['spin_lock', 'spin_unlock', 'spin_lock', 'spin_unlock'] as const);
const SEMAPHORE_VERBS: Verbs = Object.freeze(['down', 'up', 'down', 'up'] as const);
const RWSEM_VERBS: Verbs = Object.freeze(['down_write', 'up_write', 'down_read', 'up_read'] as const);
const PAGE_LOCK_VERBS: Verbs = Object.freeze(['lock_page', 'unlock_page', 'lock_page', 'unlock_page'] as const);
const SEQCOUNT_VERBS: Verbs = Object.freeze([
  'write_seqcount_begin',
  'write_seqcount_end',
  'read_seqcount_begin',
  'read_seqcount_retry',
] as const);
const DFS_TOKEN_VERBS: Verbs = Object.freeze([
  'dfs_token_lock_excl',
  'dfs_token_unlock_excl',
  'dfs_token_lock_shared',
  'dfs_token_unlock_shared',
] as const);

const KEY = Symbol('lock key');
const OP_KEY = Symbol('lock op key');
const LABELS = Symbol('lock labels');

// The fields of Lock are declared and assigned in its constructor, not initialised as class fields:
// a class field is defined on the object, and V8 defines the base class's fields of six lock classes
// through a slow path (a page lock took 2 us to make, 20 times what assignments take).
export abstract class Lock {
  declare readonly id: number;
  /** a leaf lock: no lock is acquired and nothing waits while it is held (Task.acquire checks), so
   * the order in which two tasks take it matters only through the objects their sections touch */
  declare leaf: boolean;
  /** lockdep class, e.g. "page_table_lock" (instances of one class share an order) */
  declare readonly cls: string;
  abstract readonly kind: LockKind;
  /** acquiring may sleep (rwsem, page lock, DFS token): forbidden under a spinlock */
  abstract readonly sleeping: boolean;
  /** lockdep: locks seen held while this one was taken, with the first witness (made when one is) */
  declare after: Map<Lock, { task: string; fn: string }> | null;
  /** the lock last found in `after`: a lock is mostly taken under the same outer lock */
  declare lastAfter: Lock | null;
  /** lock classes that nest inside this one (NESTS_OUTSIDE), null for most */
  declare readonly nestsOutside: readonly string[] | null;
  declare readonly name: string;
  declare private readonly ownerName: string;
  /** the verbs of the labels: acquire, release, shared acquire, shared release (a frozen constant) */
  declare private readonly verbs: Verbs;
  // the key and the labels are made when first asked for (a search makes a page's lock again at
  // every replay of the fault that locks it, and mostly never asks), and kept under symbols, which
  // checkpoints do not walk: a restore would throw them away, and the state hash would meet new
  // strings for the same text
  declare private [KEY]: string | null;
  declare private [OP_KEY]: string | null;
  /** acquire, release, shared acquire, shared release */
  declare private [LABELS]: (string | undefined)[] | null;

  constructor(name: string, ownerName: string, cls: string, verbs: Verbs) {
    this.id = nextLockId++;
    this.name = name;
    this.ownerName = ownerName;
    this.verbs = verbs;
    this.leaf = false;
    this.cls = cls;
    this.after = null;
    this.lastAfter = null;
    this.nestsOutside = Object.hasOwn(NESTS_OUTSIDE, cls) ? NESTS_OUTSIDE[cls] : null;
    this[KEY] = null;
    this[OP_KEY] = null;
    this[LABELS] = null;
  }
  /** object key for partial-order reduction, e.g. "lock:A/page_table_lock" */
  get key(): string {
    return (this[KEY] ??= `lock:${this.ownerName}/${this.name}`);
  }
  /** the key an acquire or release of it writes: `key`, or for a leaf lock a commutative update
   * ("+l:" + key, see dpor.ts), so that two tasks' critical sections of it are ordered only by what
   * they touch inside */
  get opKey(): string {
    return this.leaf ? (this[OP_KEY] ??= '+l:' + this.key) : this.key;
  }
  get acquireLabel(): string {
    return this.label(0);
  }
  get releaseLabel(): string {
    return this.label(1);
  }
  get acquireSharedLabel(): string {
    return this.label(2);
  }
  get releaseSharedLabel(): string {
    return this.label(3);
  }
  private label(i: number): string {
    const l = (this[LABELS] ??= []);
    return (l[i] ??= `${this.verbs[i]}(${this.name})`);
  }
  /** the label of a trylock of it */
  tryLabel(shared: boolean): string {
    return 'trylock:' + (shared ? this.acquireSharedLabel : this.acquireLabel);
  }
  abstract canAcquire(t: Task, shared: boolean): boolean;
  abstract acquire(t: Task, shared: boolean): void;
  /** false when `t` does not hold it in that mode (the caller records the violation) */
  abstract release(t: Task, shared: boolean): boolean;
  abstract heldBy(t: Task): boolean;
  abstract holderNames(): string[];
  /** compact state, for display */
  abstract state(): string;
  /** the same state fed to the state hash as numbers (equal exactly when state() is): a fixed shape
   * or a count first, so that it cannot run into the fields after it */
  abstract hashState(h: StateSink): void;
  /** display name for the lock timeline, e.g. "mmap_sem(r)" */
  display(shared: boolean): string {
    return shared ? `${this.name}(r)` : this.kind === 'rwsem' ? `${this.name}(w)` : this.name;
  }
}

/** the ids of a lock's shared holders in any order (a multiset): the count, then the ids sorted */
const idScratch: number[] = [];
function hashIdSet(h: StateSink, holders: readonly Task[]): void {
  const n = holders.length;
  h.word(n);
  if (n === 0) return;
  if (n === 1) return h.word(holders[0].id);
  // insertion sort into a reused array: a few holders at most
  for (let i = 0; i < n; i++) {
    const id = holders[i].id;
    let j = i;
    for (; j > 0 && idScratch[j - 1] > id; j--) idScratch[j] = idScratch[j - 1];
    idScratch[j] = id;
  }
  for (let i = 0; i < n; i++) h.word(idScratch[i]);
}

/** A lock with at most one holder and no shared mode. */
abstract class ExclusiveLock extends Lock {
  owner: Task | null = null;
  canAcquire(): boolean {
    return this.owner === null;
  }
  acquire(t: Task): void {
    this.owner = t;
  }
  release(t: Task): boolean {
    if (this.owner !== t) return false;
    this.owner = null;
    return true;
  }
  heldBy(t: Task): boolean {
    return this.owner === t;
  }
  holderNames(): string[] {
    return this.owner ? [this.owner.name] : [];
  }
  state(): string {
    return this.owner ? String(this.owner.id) : '-';
  }
  hashState(h: StateSink): void {
    h.word(this.owner ? this.owner.id + 1 : 0);
  }
}

export class Spinlock extends ExclusiveLock {
  readonly kind = 'spinlock' as const;
  readonly sleeping = false;
  constructor(name: string, owner: string, cls = name, leaf = false) {
    super(name, owner, cls, SPIN_VERBS);
    this.leaf = leaf;
  }
}

/** struct semaphore used as a mutex (down / up): one holder, a blocked task sleeps. 2.5.70 and 2.6.0's
 * mapping->i_shared_sem is one. */
export class Semaphore extends ExclusiveLock {
  readonly kind = 'semaphore' as const;
  readonly sleeping = true;
  constructor(name: string, owner: string, cls = name) {
    super(name, owner, cls, SEMAPHORE_VERBS);
  }
}

/** struct rw_semaphore: many readers or one writer; a blocked task sleeps. */
export class RwSemaphore extends Lock {
  readonly kind = 'rwsem' as const;
  readonly sleeping = true;
  writer: Task | null = null;
  readers: Task[] = [];
  /** writers asleep in down_write(): 2.5 rwsems are fair, a new reader queues behind them */
  waitingWriters: Task[] = [];
  constructor(name: string, owner: string, cls = name) {
    super(name, owner, cls, RWSEM_VERBS);
  }
  canAcquire(t: Task, shared: boolean): boolean {
    if (this.writer !== null) return false;
    if (shared) return this.waitingWriters.length === 0;
    return this.readers.length === 0 && (this.waitingWriters.length === 0 || this.waitingWriters[0] === t);
  }
  /** a writer that cannot get the semaphore goes to sleep on its wait queue */
  queueWriter(t: Task): void {
    if (!this.waitingWriters.includes(t)) this.waitingWriters.push(t);
  }
  acquire(t: Task, shared: boolean): void {
    if (shared) this.readers.push(t);
    else {
      this.writer = t;
      const i = this.waitingWriters.indexOf(t);
      if (i >= 0) this.waitingWriters.splice(i, 1);
    }
  }
  release(t: Task, shared: boolean): boolean {
    if (!shared) {
      if (this.writer !== t) return false;
      this.writer = null;
      return true;
    }
    const r = this.readers;
    const i = r.lastIndexOf(t);
    if (i < 0) return false;
    r[i] = r[r.length - 1];
    r.pop();
    return true;
  }
  heldBy(t: Task): boolean {
    return this.writer === t || this.readers.includes(t);
  }
  holderNames(): string[] {
    return this.writer ? [this.writer.name + '(w)'] : this.readers.map((r) => r.name + '(r)');
  }
  state(): string {
    const q = this.waitingWriters.length ? 'q' + this.waitingWriters.map((w) => w.id).join('.') : '';
    return (
      (this.writer
        ? 'w' + this.writer.id
        : 'r' +
          this.readers
            .map((r) => r.id)
            .sort()
            .join('.')) + q
    );
  }
  hashState(h: StateSink): void {
    if (this.writer) h.word(-1 - this.writer.id);
    else hashIdSet(h, this.readers);
    const q = this.waitingWriters;
    h.word(q.length);
    for (let i = 0; i < q.length; i++) h.word(q[i].id);
  }
}

/** PG_locked: a sleeping bit lock (lock_page / unlock_page / TestSetPageLocked). */
export class PageLock extends ExclusiveLock {
  readonly kind = 'page_lock' as const;
  readonly sleeping = true;
  constructor(pfn: number) {
    super(`page_lock(pfn ${pfn})`, 'page', 'page_lock', PAGE_LOCK_VERBS);
  }
}

/**
 * A sequence counter (seqcount_t / atomic truncate_count). The writer "holds" it between
 * write_seqcount_begin and write_seqcount_end (odd count); readers never block, they sample
 * the count and compare it later (read_seqcount_retry).
 */
export class SeqCount extends Lock {
  readonly kind = 'seqcount' as const;
  readonly sleeping = false;
  seq = 0;
  writer: Task | null = null;
  /**
   * `bumpOnEnd` false gives mapping->truncate_count of 2.6 ("truncate_count++" once, when an
   * invalidation starts; readers retry only if it changed), so a reader never spins on a writer.
   */
  constructor(
    name: string,
    owner: string,
    cls = name,
    readonly bumpOnEnd = true,
  ) {
    super(name, owner, cls, SEQCOUNT_VERBS);
  }
  /** writers serialise among themselves (the caller holds an outer lock in the kernel) */
  canAcquire(_t: Task, shared: boolean): boolean {
    return shared || this.writer === null;
  }
  acquire(t: Task, shared: boolean): void {
    if (shared) return;
    this.writer = t;
    this.seq++;
  }
  release(t: Task, shared: boolean): boolean {
    if (shared) return true;
    if (this.writer !== t) return false;
    this.writer = null;
    if (this.bumpOnEnd) this.seq++;
    return true;
  }
  heldBy(t: Task): boolean {
    return this.writer === t;
  }
  holderNames(): string[] {
    return this.writer ? [this.writer.name] : [];
  }
  state(): string {
    return this.seq + (this.writer ? 'w' + this.writer.id : '');
  }
  hashState(h: StateSink): void {
    h.word(this.seq);
    h.word(this.writer ? this.writer.id + 1 : 0);
  }
}

/**
 * A distributed filesystem token for one range of a file (here: one page). Shared for readers
 * (a node faulting the page in), exclusive for a writer (a node that writes the range and must
 * first invalidate every other node's copy). Acquiring crosses the network: it may sleep.
 */
export class DfsTokenLock extends Lock {
  readonly kind = 'dfs_token' as const;
  readonly sleeping = true;
  exclusive: Task | null = null;
  shared: Task[] = [];
  constructor(
    readonly file: string,
    readonly page: number,
  ) {
    super(`dfs_token(${file}:${page})`, 'dfs', 'dfs_token', DFS_TOKEN_VERBS);
  }
  canAcquire(_t: Task, shared: boolean): boolean {
    return shared ? this.exclusive === null : this.exclusive === null && this.shared.length === 0;
  }
  acquire(t: Task, shared: boolean): void {
    if (shared) this.shared.push(t);
    else this.exclusive = t;
  }
  release(t: Task, shared: boolean): boolean {
    if (!shared) {
      if (this.exclusive !== t) return false;
      this.exclusive = null;
      return true;
    }
    const i = this.shared.indexOf(t);
    if (i < 0) return false;
    this.shared.splice(i, 1);
    return true;
  }
  heldBy(t: Task): boolean {
    return this.exclusive === t || this.shared.includes(t);
  }
  holderNames(): string[] {
    return this.exclusive ? [this.exclusive.name + '(x)'] : this.shared.map((s) => s.name + '(s)');
  }
  state(): string {
    return this.exclusive
      ? 'x' + this.exclusive.id
      : 's' +
          this.shared
            .map((s) => s.id)
            .sort()
            .join('.');
  }
  hashState(h: StateSink): void {
    if (this.exclusive) h.word(-1 - this.exclusive.id);
    else hashIdSet(h, this.shared);
  }
  override display(shared: boolean): string {
    return shared ? `${this.name}(s)` : `${this.name}(x)`;
  }
}
