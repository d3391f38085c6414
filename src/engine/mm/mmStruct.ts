// struct mm_struct: the address space of a process.

import { DEFAULT_MAX_MAP_COUNT, PAGE_SIZE } from '../sim/constants';
import { RwSemaphore, Spinlock } from '../sim/locks';
import { touchWrite } from '../sim/step';

import { PageTable } from './pageTable';
import { VmaTree } from './vma';

export class MmStruct {
  readonly mmapSem: RwSemaphore;
  readonly pageTableLock: Spinlock;
  readonly pt = new PageTable();
  readonly vmas: VmaTree;
  rss = 0;
  maxMapCount: number;
  /** pte key prefix for partial-order reduction: "mm:A/pte:0x" */
  readonly pteKey: string;
  /** key of the VMA set (vma.ts) and of promisedProt, for partial-order reduction: "mm:A/vmas" */
  readonly vmasKey: string;
  /**
   * What user space asked for, page by page, where it differs from the VMA protection:
   * remap_file_pages(prot, MAP_NOINHERIT). mmap/mprotect/munmap reset it for their range.
   * The sigsegv invariant compares fault outcomes against this promise.
   */
  readonly promisedProt = new Map<number, number>();
  /** this mm's number in mem_map's rmap entries (0: not yet named there) */
  rmapNo = 0;
  constructor(
    readonly name: string,
    readonly node: string | null,
    maxMapCount = DEFAULT_MAX_MAP_COUNT,
  ) {
    this.mmapSem = new RwSemaphore('mmap_sem', name);
    this.pageTableLock = new Spinlock('page_table_lock', name);
    this.pteKey = `mm:${name}/pte:0x`;
    this.vmasKey = `mm:${name}/vmas`;
    this.vmas = new VmaTree(this.vmasKey);
    this.pt.key = this.pteKey;
    this.maxMapCount = maxMapCount;
  }
  /** mm->map_count */
  get mapCount(): number {
    return this.vmas.count;
  }
  clearPromise(start: number, end: number): void {
    if (this.promisedProt.size === 0) return;
    touchWrite(this.vmasKey);
    for (let a = start; a < end; a += PAGE_SIZE) this.promisedProt.delete(a / PAGE_SIZE);
  }
}
