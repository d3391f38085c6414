// Which calls take or drop a lock (or read a sequence count), and on what: the vocabulary of the
// lock contracts the analyser reports. "spin_unlock(&mm->page_table_lock)" -> drop page_table_lock.
import type { CallFact } from './cFacts';

export type LockAction = 'acquire' | 'release' | 'map' | 'unmap' | 'seq-read' | 'seq-retry' | 'seq-write' | 'seq-write-end';

export interface LockOp {
  action: LockAction;
  /** the lock (or mapping, or sequence) acted on: last member name of the argument */
  lock: string;
  /** canonical text, e.g. "spin_unlock(page_table_lock)" */
  text: string;
  fn: string;
}

const ACQUIRE = new Set([
  'spin_lock', 'spin_lock_irq', 'spin_lock_irqsave', 'spin_lock_bh', 'spin_trylock', 'read_lock', 'write_lock', 'read_lock_irq', 'write_lock_irq',
  'down_read', 'down_write', 'down_read_trylock', 'down_write_trylock', 'down', 'down_interruptible', 'mutex_lock', 'mutex_lock_interruptible', 'mutex_trylock',
  'mmap_read_lock', 'mmap_write_lock', 'lock_page', 'trylock_page', 'lock_page_killable', 'fr_write_lock', 'fr_read_lock', 'lock_kernel',
]);
const RELEASE = new Set([
  'spin_unlock', 'spin_unlock_irq', 'spin_unlock_irqrestore', 'spin_unlock_bh', 'read_unlock', 'write_unlock', 'read_unlock_irq', 'write_unlock_irq',
  'up_read', 'up_write', 'up', 'mutex_unlock', 'mmap_read_unlock', 'mmap_write_unlock', 'unlock_page', 'fr_write_unlock', 'fr_read_unlock', 'unlock_kernel',
]);
const MAP = new Set(['pte_offset_map', 'pte_offset_map_nested', 'pte_map', 'pte_kmap_offset', 'pte_alloc_map', 'pte_offset_map_lock']);
const UNMAP = new Set(['pte_unmap', 'pte_unmap_nested', 'pte_kunmap', 'pte_unmap_unlock']);
const SEQ_READ = new Set(['read_seqbegin', 'read_seqcount_begin', 'raw_read_seqcount_begin', 'fr_read_begin']);
const SEQ_RETRY = new Set(['read_seqretry', 'read_seqcount_retry', 'fr_read_retry']);
const SEQ_WRITE = new Set(['write_seqlock', 'write_seqcount_begin', 'write_seqlock_irqsave']);
const SEQ_WRITE_END = new Set(['write_sequnlock', 'write_seqcount_end', 'write_sequnlock_irqrestore']);

/** "&mm->page_table_lock" -> "page_table_lock"; "page_table" -> "page_table"; "&vma->vm_mm->mmap_sem" -> "mmap_sem" */
export function lockObject(arg: string | undefined): string {
  if (!arg) return '';
  const s = arg.replace(/\s+/g, '');
  const m = /([A-Za-z_]\w*)\W*$/.exec(s.replace(/\)+$/, ''));
  return m ? m[1] : s;
}

/** The lock operation a call performs, if any. */
export function lockOpOf(c: CallFact, fn: string): LockOp | undefined {
  const name = c.name;
  let action: LockAction | undefined;
  let lock: string;
  if (ACQUIRE.has(name)) action = 'acquire';
  else if (RELEASE.has(name)) action = 'release';
  else if (MAP.has(name)) action = 'map';
  else if (UNMAP.has(name)) action = 'unmap';
  else if (SEQ_READ.has(name)) action = 'seq-read';
  else if (SEQ_RETRY.has(name)) action = 'seq-retry';
  else if (SEQ_WRITE.has(name)) action = 'seq-write';
  else if (SEQ_WRITE_END.has(name)) action = 'seq-write-end';
  else if (name === 'atomic_read' && c.args[0] && /(?:seq|count|sequence)\w*$/i.test(lockObject(c.args[0])) && /truncate|seq/i.test(c.args[0])) {
    // the 2.5/2.6 truncate_count sampling: a sequence read done with atomic_read
    action = 'seq-read';
  }
  if (!action) return undefined;
  if (action === 'map') lock = 'pte';
  else if (action === 'unmap') lock = 'pte';
  else lock = lockObject(c.args[0]);
  if (name === 'pte_unmap_unlock') lock = lockObject(c.args[1]) || 'pte';
  const text = action === 'seq-read' && name === 'atomic_read' ? `seq_read(${lock})` : `${name}(${lockObject(c.args[0])})`;
  return { action, lock, text, fn };
}

export function isLockName(name: string): boolean {
  return ACQUIRE.has(name) || RELEASE.has(name) || MAP.has(name) || UNMAP.has(name) || SEQ_READ.has(name) || SEQ_RETRY.has(name) || SEQ_WRITE.has(name) || SEQ_WRITE_END.has(name);
}
