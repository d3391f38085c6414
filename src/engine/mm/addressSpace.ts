// Files: the inode (i_size, backing store with per-page data versions) and its address_space
// (page cache offset -> page, the VMAs that map it, truncate_count). A file of a distributed
// filesystem has one address_space per node, all over the same backing store.

import { RwSemaphore, SeqCount, Spinlock } from '../sim/locks';
import type { Page } from './page';
import type { Vma } from './vma';
import { VM_NONLINEAR } from '../sim/constants';

export type FsKind = 'local' | 'dfs' | 'shmem';

export class AddressSpace {
  /** page cache: file offset (pages) -> page */
  readonly cache = new Map<number, Page>();
  /** i_mmap + i_mmap_shared: linear mappings */
  readonly mappings = new Set<Vma>();
  /** i_mmap_nonlinear */
  readonly nonlinear = new Set<Vma>();
  /** i_shared_sem (2.5): serialises the mapping lists against invalidation */
  readonly iSharedSem: RwSemaphore;
  /** mapping->tree_lock: guards the page cache radix tree (add_to_page_cache inserts under it) */
  readonly treeLock: Spinlock;
  /** truncate_count (the truncate-seq variant): bumped when an invalidation starts */
  readonly truncateCount: SeqCount;
  /** invalidations in progress (vmtruncate / invalidate_mmap_range), for the stale-pte check */
  invalidating = 0;
  /** key prefix of page cache slots, for partial-order reduction */
  readonly slotKey: string;
  constructor(readonly file: File, readonly node: string) {
    const owner = node ? `${file.name}@${node}` : file.name;
    this.iSharedSem = new RwSemaphore('i_shared_sem', owner);
    this.treeLock = new Spinlock('tree_lock', owner);
    this.truncateCount = new SeqCount('truncate_count', owner, 'truncate_count', false);
    this.slotKey = `file:${owner}/page:0x`;
  }
  get name(): string { return this.node ? `${this.file.name}@${this.node}` : this.file.name; }
  link(v: Vma): void {
    if (v.flags & VM_NONLINEAR) this.nonlinear.add(v);
    else this.mappings.add(v);
  }
  /** link `v` just before `at` in i_mmap: the walk of an invalidation meets `v` first */
  linkBefore(v: Vma, at: Vma): void {
    if (!this.mappings.has(at) || v.flags & VM_NONLINEAR) return this.link(v);
    const all = [...this.mappings];
    this.mappings.clear();
    for (const x of all) {
      if (x === at) this.mappings.add(v);
      this.mappings.add(x);
    }
  }
  unlink(v: Vma): void {
    this.mappings.delete(v);
    this.nonlinear.delete(v);
  }
  /** vma became nonlinear: move it to i_mmap_nonlinear */
  makeNonlinear(v: Vma): void {
    this.mappings.delete(v);
    this.nonlinear.add(v);
  }
  *allMappings(): Generator<Vma> {
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
  /** backing store: data version of each page (bumped by every write that reaches it) */
  readonly versions: number[];
  private readonly spaces = new Map<string, AddressSpace>();
  constructor(readonly name: string, pages: number, readonly fs: FsKind) {
    this.size = pages;
    this.versions = new Array<number>(pages).fill(1);
    this.iSem = new RwSemaphore('i_sem', name);
    this.backingKey = `backing:${name}/page:0x`;
    this.sizeKey = `file:${name}/i_size`; // used with keyNum -1 (whole key)
  }
  /** the address_space this node sees (local files and shmem have a single one) */
  mapping(node: string | null | undefined): AddressSpace {
    const key = this.fs === 'dfs' ? node ?? '' : '';
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
  version(index: number): number {
    return this.versions[index] ?? 0;
  }
  /** extend the backing store when the file grows */
  ensure(pages: number): void {
    while (this.versions.length < pages) this.versions.push(1);
  }
}
