// vm_area_struct and the per-mm VMA set: a balanced search tree keyed by vm_start (a treap with
// deterministic priorities, standing in for the kernel's rbtree) plus the vm_next list and the
// one-entry find_vma cache (mm->mmap_cache).
//
// The VMA set of an mm is one object for partial-order reduction (MmStruct.vmasKey): a lookup or a
// read of a VMA's range, flags or offset reads it; an insert, a removal or a change of those fields
// writes it. mmap_sem orders these in the kernel's own locking; a variant that weakens mmap_sem
// (munmap under the read lock) needs the footprint to see a fault's find_vma race with the change.

import { PAGE_SIZE, VM_SHARED, VM_WRITE, VM_READ, VM_EXEC, vmFlagNames, protString } from '../sim/constants';
import { footprint } from '../sim/step';

import type { File } from './addressSpace';
import type { MmStruct } from './mmStruct';
import type { AnonVma } from './rmap';
import type { VmOperations } from './vmOps';

/** access exceeds the VMA's permissions (the checks of patch 19, strict per bit) */
export function accessExceeds(access: number, vmFlags: number): boolean {
  return (access & VM_WRITE) > (vmFlags & VM_WRITE) || (access & VM_READ) > (vmFlags & VM_READ) || (access & VM_EXEC) > (vmFlags & VM_EXEC);
}

/** record a read of a VMA set (footprint.on): one VMA's fields read in a row push its key once */
function readVmas(key: string): void {
  const r = footprint.reads;
  if (r.length === 0 || r[r.length - 1] !== key) r.push(key);
}

function writeVmas(key: string): void {
  const w = footprint.writes;
  if (w.length === 0 || w[w.length - 1] !== key) w.push(key);
}

export class Vma {
  next: Vma | null = null;
  prev: Vma | null = null;
  // treap links
  left: Vma | null = null;
  right: Vma | null = null;
  prio = 0;
  /** vm_private_data: used as the swapout cursor of VM_NONLINEAR VMAs */
  privateData: unknown = null;
  /** vma->anon_vma (2.6.11, the 'object' rmap rules): set by anon_vma_prepare, shared by fork */
  anonVma: AnonVma | null = null;
  /** vm_start, vm_end, vm_flags, vm_pgoff without a footprint: for VmaTree's own walks (its
   * operations record the set once) -- everything else goes through start, end, flags, pgoff */
  vmStart: number;
  vmEnd: number;
  vmFlags: number;
  vmPgoff: number;
  constructor(
    public mm: MmStruct,
    start: number,
    end: number,
    flags: number,
    pgoff: number,
    public file: File | null,
    public ops: VmOperations | null,
  ) {
    // a VMA no tree holds yet is its creator's alone: no footprint until insert
    this.vmStart = start;
    this.vmEnd = end;
    this.vmFlags = flags;
    this.vmPgoff = pgoff;
  }
  get start(): number {
    if (footprint.on) readVmas(this.mm.vmasKey);
    return this.vmStart;
  }
  set start(a: number) {
    if (footprint.on) writeVmas(this.mm.vmasKey);
    this.vmStart = a;
  }
  get end(): number {
    if (footprint.on) readVmas(this.mm.vmasKey);
    return this.vmEnd;
  }
  set end(a: number) {
    if (footprint.on) writeVmas(this.mm.vmasKey);
    this.vmEnd = a;
  }
  get flags(): number {
    if (footprint.on) readVmas(this.mm.vmasKey);
    return this.vmFlags;
  }
  set flags(f: number) {
    if (footprint.on) writeVmas(this.mm.vmasKey);
    this.vmFlags = f;
  }
  get pgoff(): number {
    if (footprint.on) readVmas(this.mm.vmasKey);
    return this.vmPgoff;
  }
  set pgoff(p: number) {
    if (footprint.on) writeVmas(this.mm.vmasKey);
    this.vmPgoff = p;
  }
  /** vm_page_prot: the protection ptes get; private writable mappings map read-only first (COW) */
  get pageProt(): number {
    const p = this.flags & (VM_READ | VM_WRITE | VM_EXEC);
    return this.flags & VM_SHARED ? p : p & ~VM_WRITE;
  }
  get pages(): number {
    return (this.end - this.start) / PAGE_SIZE;
  }
  /** linear_page_index() */
  linearIndex(addr: number): number {
    return Math.floor((addr - this.start) / PAGE_SIZE) + this.pgoff;
  }
  describe(): string {
    return `[0x${this.start.toString(16)}-0x${this.end.toString(16)}) ${protString(this.flags)} ${vmFlagNames(this.flags).join('|')}${this.file ? ' ' + this.file.name + '@' + this.pgoff : ''}`;
  }
}

let prioSeed = 0x2545f491;
function nextPrio(): number {
  // xorshift32: deterministic across runs
  prioSeed ^= prioSeed << 13;
  prioSeed ^= prioSeed >>> 17;
  prioSeed ^= prioSeed << 5;
  return prioSeed >>> 0;
}

export class VmaTree {
  /** the set's footprint key (MmStruct.vmasKey) */
  constructor(readonly key: string) {}
  root: Vma | null = null;
  /** mm->mmap: first VMA in address order */
  head: Vma | null = null;
  /** VMAs in the set (count reads it with a footprint) */
  private nodes = 0;
  /** mm->mmap_cache */
  cache: Vma | null = null;
  /** tree nodes visited by the last find_vma (for the logarithmic-lookup check) */
  lastVisits = 0;

  /** find_vma(): the first VMA with vm_end > addr, or null */
  find(addr: number): Vma | null {
    if (footprint.on) readVmas(this.key);
    const c = this.cache;
    if (c !== null && c.vmEnd > addr && c.vmStart <= addr) {
      this.lastVisits = 0;
      return c;
    }
    let n = this.root;
    let best: Vma | null = null;
    let visits = 0;
    while (n !== null) {
      visits++;
      if (n.vmEnd > addr) {
        best = n;
        if (n.vmStart <= addr) break;
        n = n.left;
      } else n = n.right;
    }
    this.lastVisits = visits;
    if (best !== null) this.cache = best;
    return best;
  }

  /** find_vma_prev(): the VMA ending at or before addr's VMA, i.e. the last with start < addr */
  findPrev(addr: number): Vma | null {
    if (footprint.on) readVmas(this.key);
    let n = this.root;
    let best: Vma | null = null;
    while (n !== null) {
      if (n.vmStart < addr) {
        best = n;
        n = n.right;
      } else n = n.left;
    }
    return best;
  }

  private split(n: Vma | null, key: number): [Vma | null, Vma | null] {
    // nodes with start < key go left
    if (n === null) return [null, null];
    if (n.vmStart < key) {
      const [l, r] = this.split(n.right, key);
      n.right = l;
      return [n, r];
    }
    const [l, r] = this.split(n.left, key);
    n.left = r;
    return [l, n];
  }

  private merge(a: Vma | null, b: Vma | null): Vma | null {
    if (a === null) return b;
    if (b === null) return a;
    if (a.prio > b.prio) {
      a.right = this.merge(a.right, b);
      return a;
    }
    b.left = this.merge(a, b.left);
    return b;
  }

  /** __vma_link: insert into the tree and the list (caller guarantees no overlap) */
  insert(v: Vma): void {
    if (footprint.on) writeVmas(this.key);
    v.prio = nextPrio();
    v.left = v.right = null;
    const prev = this.findPrev(v.vmStart);
    const [l, r] = this.split(this.root, v.vmStart);
    this.root = this.merge(this.merge(l, v), r);
    v.prev = prev;
    v.next = prev ? prev.next : this.head;
    if (v.next) v.next.prev = v;
    if (prev) prev.next = v;
    else this.head = v;
    this.nodes++;
  }

  /** __vma_unlink */
  remove(v: Vma): void {
    if (footprint.on) writeVmas(this.key);
    this.root = this.removeNode(this.root, v);
    if (v.prev) v.prev.next = v.next;
    else this.head = v.next;
    if (v.next) v.next.prev = v.prev;
    v.prev = v.next = null;
    v.left = v.right = null;
    if (this.cache === v) this.cache = null;
    this.nodes--;
  }

  private removeNode(n: Vma | null, v: Vma): Vma | null {
    if (n === null) throw new Error('VmaTree.remove: VMA not in tree');
    if (n === v) return this.merge(n.left, n.right);
    if (v.vmStart < n.vmStart) n.left = this.removeNode(n.left, v);
    else n.right = this.removeNode(n.right, v);
    return n;
  }

  /** vm_start changed on a linked VMA (vma_adjust): re-key it */
  rekey(v: Vma, start: number): void {
    if (footprint.on) writeVmas(this.key);
    const prev = v.prev,
      next = v.next;
    this.root = this.removeNode(this.root, v);
    v.left = v.right = null;
    v.vmStart = start;
    const [l, r] = this.split(this.root, start);
    this.root = this.merge(this.merge(l, v), r);
    // list order is unchanged: callers never move a VMA past a neighbour
    v.prev = prev;
    v.next = next;
  }

  /** mm->map_count */
  get count(): number {
    if (footprint.on) readVmas(this.key);
    return this.nodes;
  }

  *[Symbol.iterator](): Generator<Vma> {
    if (footprint.on) readVmas(this.key);
    for (let v = this.head; v !== null; v = v.next) yield v;
  }

  depth(): number {
    const d = (n: Vma | null): number => (n === null ? 0 : 1 + Math.max(d(n.left), d(n.right)));
    return d(this.root);
  }
}
