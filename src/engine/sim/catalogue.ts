// The names a scenario may use to speak about the engine: the invariants it records and the locks it
// takes (with the verbs of their trace events). The scenario loader checks `expect` entries against
// these, so a misspelled name is an error instead of a silently "held" invariant.

/** Every invariant the engine records (Violation.invariant), with what it means. */
export const INVARIANTS = {
  'stale-pte': 'a pte maps a page that is no longer the file page at that offset (truncated, invalidated or outdated)',
  'orphan-pte': 'a pte maps a page no VMA covers',
  'ref-balance': 'page->count does not match the references the kernel holds',
  'pin-balance': 'a page holds DMA pins nobody will release',
  'freed-while-mapped': 'a page was freed while a pte still maps it',
  rss: 'mm->rss does not match the ptes present',
  sigsegv: 'an access got a different outcome than the protection promised',
  'unlock-not-held': 'a task released a lock it does not hold',
  'lock-held-at-return': 'a lock is still held where the contract (or the return to user space) says it is released',
  'lock-not-held': 'a lock is not held where the contract says it is',
  'sleep-in-spinlock': 'a task may sleep while it holds a spinlock',
  abba: 'two tasks take two locks in opposite orders',
  oops: 'a NULL dereference or BUG(): the task is killed',
  deadlock: 'no task can run and some have not finished',
  'fault-loop': 'an access still fails after repeated successful faults',
  'engine-error': 'the engine itself failed while running the scenario',
  'no-progress': 'a schedule ran past the step bound without finishing',
  'use-after-free': 'a reference was taken on a freed page',
  'buffer-overflow': "get_user_pages wrote past the end of the caller's pages array",
  'put_page-on-pinned': 'put_page on a page pinned by get_user_pages (the pin stays for ever)',
  'put_user_page-not-pinned': 'put_user_page on a page that holds no pin',
  'double-release': 'a set of pinned pages was released twice',
  'dirty-after-writeback': 'a page was dirtied after writeback cleaned it and nobody will write it again',
  'dma-data-lost': 'data the device wrote by DMA never reaches the backing store',
  'dma-after-release': 'the device writes into a page after its pin was released',
  'dma-into-read-pin': 'the device writes into a page pinned without write access',
  'tlb-stale': "a page was freed while a CPU's TLB still maps it (the flush must come before the free)",
} as const;

export type InvariantName = keyof typeof INVARIANTS;

export const INVARIANT_NAMES = Object.keys(INVARIANTS) as InvariantName[];

export function isInvariantName(name: string): name is InvariantName {
  return Object.prototype.hasOwnProperty.call(INVARIANTS, name);
}

/** A lock class the engine models: its instance names and the verbs of its lock/unlock trace events. */
export interface LockClass {
  /** lockdep class */
  cls: string;
  /** the names its instances get in trace labels; a name ending in '(…)' stands for one per object */
  names: readonly string[];
  /** acquire, release, acquire shared, release shared (locks.ts) */
  verbs: readonly [string, string, string, string];
}

/** The lock classes of locks.ts with the instances the kernel state creates (mmStruct, addressSpace,
 * page, dfs). Driver spinlocks are named by the scenario (`holding:` of a release op). */
export const LOCK_CLASSES: readonly LockClass[] = [
  { cls: 'page_table_lock', names: ['page_table_lock'], verbs: ['spin_lock', 'spin_unlock', 'spin_lock', 'spin_unlock'] },
  { cls: 'mmap_sem', names: ['mmap_sem'], verbs: ['down_write', 'up_write', 'down_read', 'up_read'] },
  { cls: 'i_shared_sem', names: ['i_shared_sem'], verbs: ['down', 'up', 'down', 'up'] },
  { cls: 'i_mmap_lock', names: ['i_mmap_lock'], verbs: ['spin_lock', 'spin_unlock', 'spin_lock', 'spin_unlock'] },
  { cls: 'anon_vma_lock', names: ['anon_vma_lock'], verbs: ['spin_lock', 'spin_unlock', 'spin_lock', 'spin_unlock'] },
  { cls: 'i_sem', names: ['i_sem'], verbs: ['down_write', 'up_write', 'down_read', 'up_read'] },
  { cls: 'tree_lock', names: ['tree_lock'], verbs: ['spin_lock', 'spin_unlock', 'spin_lock', 'spin_unlock'] },
  { cls: 'lru_lock', names: ['lru_lock'], verbs: ['spin_lock', 'spin_unlock', 'spin_lock', 'spin_unlock'] },
  {
    cls: 'truncate_count',
    names: ['truncate_count'],
    verbs: ['write_seqcount_begin', 'write_seqcount_end', 'read_seqcount_begin', 'read_seqcount_retry'],
  },
  { cls: 'page_lock', names: ['page_lock(…)'], verbs: ['lock_page', 'unlock_page', 'lock_page', 'unlock_page'] },
  {
    cls: 'dfs_token',
    names: ['dfs_token(…)'],
    verbs: ['dfs_token_lock_excl', 'dfs_token_unlock_excl', 'dfs_token_lock_shared', 'dfs_token_unlock_shared'],
  },
];

export const DRIVER_LOCK_VERBS = ['spin_lock', 'spin_unlock', 'spin_lock', 'spin_unlock'] as const;

/** A lock event label as the trace prints it: `spin_lock(page_table_lock)`,
 * `trylock:spin_lock(page_table_lock) = 1`, `lock_page(page_lock(pfn 12))`. */
export function parseLockLabel(label: string): { verb: string; name: string; trylock: boolean } | undefined {
  const m = /^(trylock:)?([a-z_]+)\((.+)\)(?: = 1)?$/.exec(label.trim());
  return m ? { trylock: !!m[1], verb: m[2], name: m[3] } : undefined;
}

/** The lock class a lock instance name belongs to (driver locks: none). */
export function lockClassOf(name: string): LockClass | undefined {
  return LOCK_CLASSES.find((c) =>
    c.names.some((n) => (n.endsWith('(…)') ? name.startsWith(n.slice(0, -2)) && name.endsWith(')') : n === name)),
  );
}

/** Every label a lock class can produce, for hints (per-object names shown with their placeholder). */
export function lockLabels(driverLocks: readonly string[] = []): string[] {
  const out: string[] = [];
  const add = (verbs: readonly string[], name: string) => {
    for (const v of new Set(verbs)) out.push(`${v}(${name})`);
  };
  for (const c of LOCK_CLASSES) for (const n of c.names) add(c.verbs, n);
  for (const d of driverLocks) add(DRIVER_LOCK_VERBS, d);
  return out;
}
