// The declarative contract between the engine and its users (scenario runner, explorer, CLI, extension).
// A scenario file is parsed into a WorldSpec; the engine builds a Machine from it and a VariantSelection.
// Keep this file plain data: it is validated by the scenario schema and sent to the webview.

/** One named rule set per API family; an absent family uses its base variant. */
export interface VariantSelection {
  /** fault path: '2.5.70' | 'install_new_page' | 'install_new_page-hch' | 'truncate-seq' */
  fault?: string;
  /** get_user_pages: 'gup-2.5.46' | 'walk-opt1' | 'walk-opt2' | 'walk-opt3' | 'walk-opt4' (seed 001's options; 'walk' = the seed 000 rules as posted) */
  gup?: string;
  /** release of pinned pages: 'put_page' | 'put_user_page' */
  release?: string;
  /** remap_file_pages: '2.6.13' | 'nonuniform' */
  remap?: string;
  /** a deliberate breakage of kernel code, to show what catches it: 'none' | 'racy-add_to_page_cache' | 'unlock-before-try_to_unmap' | 'free-before-flush' */
  mutation?: string;
}

/** how a driver releases the pages it collected (the `release` op) */
export type ReleaseFn =
  | 'put_page'
  | 'put_user_page'
  | 'put_user_pages'
  | 'put_user_pages_dirty'
  | 'put_user_pages_dirty_lock'
  | 'set_page_dirty+put_page'
  | 'set_page_dirty_lock+put_page';

export type Prot = string; // 'r--', 'rw-', 'r-x', 'rwx', '---' (read, write, exec)

export interface FileSpec {
  name: string;
  /** size in pages */
  pages: number;
  /** which filesystem serves it: a local disk file, a distributed filesystem, tmpfs, or hugetlbfs
   * (mapped with huge pages; `pages` a multiple of 512) */
  fs?: 'local' | 'dfs' | 'shmem' | 'hugetlbfs';
}

export interface MmSpec {
  name: string;
  /** the DFS node this address space lives on (for DFS scenarios) */
  node?: string;
}

export interface WorldSpec {
  files?: FileSpec[];
  mms: MmSpec[];
  nodes?: string[];
  /** page allocator limit in pages (OOM beyond it) */
  memoryPages?: number;
  maxMapCount?: number;
  /** CPUs with a TLB each; without them no TLB is modelled */
  cpus?: string[];
  tasks: TaskSpec[];
}

export interface TaskSpec {
  name: string;
  /** address space the task runs in (a thread of that mm); DFS-only tasks may name a node instead */
  mm?: string;
  node?: string;
  /** the CPU the task runs on (one of world.cpus; default the first) */
  cpu?: string;
  ops: OpSpec[];
}

/** Addresses are numbers (byte addresses, page aligned where the kernel requires it). */
export type OpSpec =
  | { op: 'mmap'; addr: number; pages: number; prot: Prot; shared?: boolean; file?: string; pgoff?: number; flags?: string[]; as?: string }
  | { op: 'munmap'; addr: number; pages: number }
  | { op: 'mprotect'; addr: number; pages: number; prot: Prot }
  | { op: 'read' | 'write' | 'exec'; addr: number }
  | { op: 'touch'; addr: number; pages: number; write?: boolean }
  | { op: 'truncate'; file: string; pages: number }
  | { op: 'remote-write'; file: string; page: number }
  | { op: 'invalidate'; file: string; page: number; pages?: number }
  | { op: 'gup'; addr: number; pages: number; write?: boolean; force?: boolean; as?: string }
  | {
      op: 'walk';
      addr: number;
      pages: number;
      write?: boolean;
      walker?: 'collect' | 'count' | 'fail-at';
      failAt?: number;
      as?: string;
      /** the walker's code follows this gup variant's lock contract instead of the one in force */ writtenFor?: string;
    }
  | { op: 'get-one-page'; addr: number; write?: boolean; as?: string }
  | { op: 'dma-write'; pages: string }
  | {
      op: 'release';
      pages: string;
      fn: ReleaseFn;
      /** a spinlock the caller holds around the release ('page_table_lock' or a driver lock name) */ holding?: string;
    }
  | { op: 'writeback'; file: string; page: number }
  | { op: 'remap'; addr: number; pages: number; pgoff: number; prot?: Prot; flags?: string[] }
  | { op: 'swap-out'; addr: number; pages?: number }
  | { op: 'sleep' }
  /** fork(): copy the task's mm into a new mm named `as` (copy_mm); tasks naming that mm run in the child */
  | { op: 'fork'; as: string }
  /** kswapd: `passes` scans of the LRU reclaiming what it can (shrink_list, try_to_unmap); default 1 */
  | { op: 'kswapd'; passes?: number }
  /** madvise(addr, pages, MADV_DONTNEED): zap the range's ptes, keep the VMAs */
  | { op: 'madvise'; addr: number; pages: number; advice: 'MADV_DONTNEED' }
  /** mremap(addr, pages * PAGE_SIZE, newPages * PAGE_SIZE, flags, newAddr) */
  | { op: 'mremap'; addr: number; pages: number; newPages: number; flags?: ('MREMAP_MAYMOVE' | 'MREMAP_FIXED')[]; newAddr?: number };

// ---- What a Machine reports. The engine implements `createMachine` (src/engine/index.ts). ----

/** A step runs one task from one interleaving point to the next. reads/writes name the objects it
 * touched ("mm:A/pte:0x1000", "lock:A/page_table_lock", "file:f/page:3"), for partial-order reduction. */
export interface StepInfo {
  task: number;
  /** kernel function the step ends in, e.g. "do_no_page" */
  fn: string;
  /** what the step does, e.g. "spin_unlock(page_table_lock)" */
  label: string;
  reads: string[];
  writes: string[];
  /** a lock operation (the lock is reads[0] for a reader, writes[0] otherwise); `seq` for a sequence count, whose readers never wait.
   * The explorer needs the modes: a release and another task's acquire of an exclusive hold are
   * never both possible */
  lock?: { op: 'acquire' | 'release' | 'try'; shared: boolean; seq: boolean };
  /** interpreted kernel C: the statement that announced the step, "mm/memory.c:1873" */
  src?: string;
}

export type TraceKind =
  'enter' | 'exit' | 'lock' | 'unlock' | 'sleep' | 'pte' | 'ref' | 'pin' | 'fault' | 'signal' | 'violation' | 'op' | 'note';

export interface TraceEvent {
  seq: number;
  /** index of the scheduler step that produced it */
  step: number;
  task: number;
  kind: TraceKind;
  /** kernel function (source hint) */
  fn: string;
  detail: string;
  /** locks held by the task after the event, e.g. ["mmap_sem(r)", "page_table_lock"] */
  locks: string[];
  /** interpreted kernel C: the statement that produced the event, "mm/memory.c:1873" */
  src?: string;
}

export interface Violation {
  /** stable invariant name: 'stale-pte' | 'orphan-pte' | 'ref-balance' | 'pin-balance' | 'freed-while-mapped'
   * | 'rss' | 'sigsegv' | 'unlock-not-held' | 'lock-held-at-return' | 'sleep-in-spinlock' | 'abba' | 'oops' | 'deadlock' | ... */
  invariant: string;
  message: string;
  task?: string;
  step: number;
  fn?: string;
  locksHeld: string[];
  /** engine-error only: the JavaScript stack of the error, so that an engine bug can be debugged */
  stack?: string;
}

/** What an operation of a task came to: fault results, signals, return values. */
export interface OpResult {
  task: string;
  index: number;
  op: string;
  /** e.g. "VM_FAULT_MAJOR", "SIGSEGV", "-ENOMEM", "12 pages" */
  result: string;
  signal?: 'SIGSEGV' | 'SIGBUS';
}

export interface PteSnapshot {
  addr: number;
  pgd: number;
  pmd: number;
  pte: number;
  kind: 'present' | 'swap' | 'file';
  pfn?: number;
  prot?: Prot;
  dirty?: boolean;
  young?: boolean;
  /** file offset of a file pte, or swap slot */
  pgoff?: number;
  swapSlot?: number;
  /** a huge pte of a hugetlb VMA (the pmd entry with PSE set): maps HPAGE_SIZE bytes from addr, and
   * pfn is the compound page's head */
  huge?: boolean;
  /** base pages the huge pte maps (HPAGE_SIZE / PAGE_SIZE) */
  pages?: number;
}

export interface VmaSnapshot {
  start: number;
  end: number;
  flags: string[];
  prot: Prot;
  pgoff: number;
  file?: string;
  ops: string[];
}

export interface MmSnapshot {
  name: string;
  rss: number;
  mapCount: number;
  vmas: VmaSnapshot[];
  ptes: PteSnapshot[];
  /** translations of this mm cached in the CPUs' TLBs (worlds that name CPUs only) */
  tlb?: TlbEntrySnapshot[];
}

export interface TlbEntrySnapshot {
  cpu: string;
  addr: number;
  pfn: number;
  write: boolean;
}

export interface PageSnapshot {
  pfn: number;
  count: number;
  mapcount: number;
  pins: number;
  flags: string[];
  file?: string;
  index?: number;
  version?: number;
}

export interface MachineSnapshot {
  mms: MmSnapshot[];
  pages: PageSnapshot[];
  /** versions: the backing-store data version of each of the first pages (at most 4096) */
  files: { name: string; size: number; cached: number[]; versions: number[] }[];
  /** event counters of the run, e.g. "nopage calls", "nopage args" (arguments passed to the hook,
   * the cost the seed 004 thread debates), "faults", "major faults" */
  counters?: Record<string, number>;
}

export interface Machine {
  readonly taskNames: readonly string[];
  /** tasks that can take a step now: not finished and not blocked on a lock */
  runnable(): number[];
  /** run task `t` to its next interleaving point */
  step(t: number): StepInfo;
  /** the footprint of task `t`'s next step as announced (what it will touch first), without running it;
   * null for a finished task */
  announced?(t: number): StepInfo | null;
  /** take these steps (a prefix already explored) as fast as possible: footprints and per-step checks
   * may be skipped; `recorded`: violations these steps (or those before them) recorded when they
   * first ran, logged again (once, as ever) so that the log holds what the steps would leave (its
   * order may differ: they come after the replayed steps) */
  replay?(schedule: readonly number[], recorded?: readonly Violation[]): void;
  /** every task finished */
  done(): boolean;
  /** end-of-run checks (reference and pin balance, orphaned ptes, ...); call once when done() or stuck */
  finish(): void;
  readonly violations: readonly Violation[];
  readonly trace: readonly TraceEvent[];
  readonly results: readonly OpResult[];
  /** a hash of the whole kernel state plus each task's position, for state caching */
  stateHash(): string;
  snapshot(): MachineSnapshot;
  /** checkpoints of this machine's state, to come back to without building it again; `sibling` is a
   * fresh machine of the same world (what both reach is shared, not state) */
  checkpoints?(sibling: Machine): MachineCheckpoints;
}

/** Checkpoints of one machine (see engine/sim/checkpoint.ts). */
export interface MachineCheckpoints {
  /** the state now; null while a task is inside an operation (its frame cannot be recorded) */
  take(): MachineCheckpoint | null;
  /** back to a checkpoint of this machine; false when it cannot be (the caller builds the machine
   * again and replays) */
  restore(c: MachineCheckpoint): boolean;
}

/** opaque */
export interface MachineCheckpoint {
  readonly entries: readonly unknown[];
}
