// Files: the inode (i_size, backing store with per-page data versions) and its address_space
// (page cache offset -> page, the VMAs that map it, truncate_count). A file of a distributed
// filesystem has one address_space per node, all over the same backing store.

import { VM_NONLINEAR } from '../sim/constants';
import { RwSemaphore, Semaphore, SeqCount, Spinlock, type Lock } from '../sim/locks';
import { footprint, touchRead, touchWrite } from '../sim/step';

import type { Page } from './page';
import type { Vma } from './vma';

export type FsKind = 'local' | 'dfs' | 'shmem' | 'hugetlbfs';

/** The page cache of one address_space: offset -> page. Lookups, insertions and removals are recorded
 * as the running step's footprint (a walk over it reads every slot). */
export class PageCacheMap extends Map<number, Page> {
  constructor(readonly slotKey: string) {
    super();
  }
  override get(i: number): Page | undefined {
    if (footprint.on) footprint.reads.push(this.slotKey + i.toString(16));
    return super.get(i);
  }
  override has(i: number): boolean {
    if (footprint.on) footprint.reads.push(this.slotKey + i.toString(16));
    return super.has(i);
  }
  override set(i: number, p: Page): this {
    if (footprint.on) footprint.writes.push(this.slotKey + i.toString(16));
    return super.set(i, p);
  }
  override delete(i: number): boolean {
    if (footprint.on) footprint.writes.push(this.slotKey + i.toString(16));
    return super.delete(i);
  }
  override keys(): MapIterator<number> {
    if (footprint.on) footprint.reads.push(this.slotKey + '*');
    return super.keys();
  }
}

export class AddressSpace {
  /** page cache: file offset (pages) -> page */
  readonly cache: PageCacheMap;
  /** i_mmap + i_mmap_shared: linear mappings */
  readonly mappings = new Set<Vma>();
  /** i_mmap_nonlinear */
  readonly nonlinear = new Set<Vma>();
  /** i_shared_sem (2.5.70, 2.6.0: a semaphore, down / up): serialises the mapping lists against invalidation */
  readonly iSharedSem: Semaphore;
  /** i_mmap_lock (2.6.11: a spinlock): the same role, also held by the object rmap's walk of i_mmap */
  readonly iMmapLock: Spinlock;
  /** mapping->tree_lock: guards the page cache radix tree (add_to_page_cache inserts under it) */
  readonly treeLock: Spinlock;
  /** truncate_count (the truncate-seq variant): bumped when an invalidation starts */
  readonly truncateCount: SeqCount;
  /** invalidations in progress (vmtruncate / invalidate_mmap_range), for the stale-pte check */
  invalidating = 0;
  /** key prefix of page cache slots, for partial-order reduction */
  readonly slotKey: string;
  /** key of the mapping lists (i_mmap), recorded as a step's footprint (no interleaving point) */
  readonly mappingsKey: string;
  /** the file's name, with the node's for a DFS node's page cache ("f@n1") */
  readonly name: string;
  constructor(
    readonly file: File,
    readonly node: string,
  ) {
    const owner = node ? `${file.name}@${node}` : file.name;
    this.name = owner;
    this.iSharedSem = new Semaphore('i_shared_sem', owner);
    this.iMmapLock = new Spinlock('i_mmap_lock', owner);
    // add_to_page_cache's section: radix_tree_insert and SetPageLocked of a page nobody else sees
    this.treeLock = new Spinlock('tree_lock', owner, 'tree_lock', true);
    this.truncateCount = new SeqCount('truncate_count', owner, 'truncate_count', false);
    this.slotKey = `file:${owner}/page:0x`;
    this.cache = new PageCacheMap(this.slotKey);
    this.mappingsKey = `file:${owner}/i_mmap`;
  }
  /** the lock of the mapping lists in the era of the rules: i_mmap_lock under the 'object' rmap rules
   * (2.6.11), else i_shared_sem (taken with t.acquire / t.release either way) */
  lock(objectRmap: boolean): Lock {
    return objectRmap ? this.iMmapLock : this.iSharedSem;
  }
  link(v: Vma): void {
    touchWrite(this.mappingsKey);
    if (v.flags & VM_NONLINEAR) this.nonlinear.add(v);
    else this.mappings.add(v);
  }
  /** link `v` just before `at` in i_mmap: the walk of an invalidation meets `v` first */
  linkBefore(v: Vma, at: Vma): void {
    if (!this.mappings.has(at) || v.flags & VM_NONLINEAR) return this.link(v);
    touchWrite(this.mappingsKey);
    const all = [...this.mappings];
    this.mappings.clear();
    for (const x of all) {
      if (x === at) this.mappings.add(v);
      this.mappings.add(x);
    }
  }
  unlink(v: Vma): void {
    touchWrite(this.mappingsKey);
    this.mappings.delete(v);
    this.nonlinear.delete(v);
  }
  /** vma became nonlinear: move it to i_mmap_nonlinear */
  makeNonlinear(v: Vma): void {
    touchWrite(this.mappingsKey);
    this.mappings.delete(v);
    this.nonlinear.add(v);
  }
  *allMappings(): Generator<Vma> {
    touchRead(this.mappingsKey);
    yield* this.mappings;
    yield* this.nonlinear;
  }
}

export class File {
  /** i_size in pages */
  size: number;
  /** inode->i_sem, taken by truncate */
  readonly iSem: RwSemaphore;
  /** keys of the backing store pages and of i_size, for partial-order reduction */
  readonly backingKey: string;
  readonly sizeKey: string;
  /** backing store: pages [0, extent) exist at data version 1 until a write that reaches them bumps
   * it. Sparse, so that a file as big as the page cache can index (2^31 pages) costs nothing. */
  private extent: number;
  private readonly bumped = new Map<number, number>();
  private readonly spaces = new Map<string, AddressSpace>();
  constructor(
    readonly name: string,
    pages: number,
    readonly fs: FsKind,
  ) {
    this.size = pages;
    this.extent = pages;
    this.iSem = new RwSemaphore('i_sem', name);
    this.backingKey = `backing:${name}/page:0x`;
    this.sizeKey = `file:${name}/i_size`; // used with keyNum -1 (whole key)
  }
  /** the address_space this node sees (local files and shmem have a single one) */
  mapping(node: string | null | undefined): AddressSpace {
    const key = this.fs === 'dfs' ? (node ?? '') : '';
    let a = this.spaces.get(key);
    if (!a) {
      a = new AddressSpace(this, key);
      this.spaces.set(key, a);
    }
    return a;
  }
  spacesList(): AddressSpace[] {
    return [...this.spaces.values()];
  }
  /** the address_spaces by node ("" for the single one), in creation order, without a copy */
  get spaceMap(): ReadonlyMap<string, AddressSpace> {
    return this.spaces;
  }
  /** data version of a backing-store page (0: the page does not exist) */
  version(index: number): number {
    return this.bumped.get(index) ?? (index < this.extent ? 1 : 0);
  }
  /** a write reached the backing store: the page's data version goes up; returns the new one */
  bump(index: number): number {
    const v = this.version(index) + 1;
    this.bumped.set(index, v);
    return v;
  }
  /** extend the backing store when the file grows */
  ensure(pages: number): void {
    if (pages > this.extent) this.extent = pages;
  }
  /** the versions of the first pages (at most `max`), dense, for snapshots */
  versionList(max: number): number[] {
    let n = this.extent;
    for (const i of this.bumped.keys()) if (i >= n) n = i + 1;
    return Array.from({ length: Math.min(n, max) }, (_, i) => this.version(i));
  }
  /** the backing store for the state hash: pages below the extent start at version 1, `bumped`
   * has the versions writes raised (page -> version, in the order of the first write) */
  get extentPages(): number {
    return this.extent;
  }
  get bumpedVersions(): ReadonlyMap<number, number> {
    return this.bumped;
  }
}
