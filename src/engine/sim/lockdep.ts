// The checks lockdep, might_sleep() and sparse make, recorded as violations (never thrown):
// unlock of a lock not held, sleeping (or taking a sleeping lock) with a spinlock held, ABBA order
// inversions between tasks, and a lock still held where a contract says it must be dropped.

import type { Lock } from './locks';
import type { Task } from './task';

/**
 * The kernel's documented nesting (2.6.11 mm/rmap.c and mm/filemap.c lock-ordering comments): a class
 * -> the classes that must not be held when it is taken (they nest inside it). Taking an outer lock
 * under an inner one is an inversion even before a second task shows the other order. A trylock
 * (mremap's spin_trylock of i_mmap_lock under page_table_lock) is the kernel's way around it.
 */
const NESTS_OUTSIDE: Readonly<Record<string, readonly string[]>> = {
  i_mmap_lock: ['anon_vma_lock', 'page_table_lock'],
  i_shared_sem: ['page_table_lock'],
  anon_vma_lock: ['page_table_lock'],
};

export class Lockdep {
  /** called before `t` acquires `l` (blocking acquisition) */
  acquire(t: Task, l: Lock, shared: boolean): void {
    const inner = NESTS_OUTSIDE[l.cls];
    if (inner !== undefined) {
      for (const h of t.heldLocks)
        if (inner.includes(h.cls))
          t.violation(
            'abba',
            `lock order: ${l.cls} nests outside ${h.cls}, but ${t.name} takes ${l.key} while holding ${h.key} (in ${t.fn()})`,
          );
    }
    if (l.sleeping && t.spinDepth > 0) {
      t.violation(
        'sleep-in-spinlock',
        `${shared ? l.acquireSharedLabel : l.acquireLabel} may sleep while holding spinlock ${t.spinlocksHeld().join(', ')}`,
      );
    }
    const held = t.heldLocks;
    for (let i = 0; i < held.length; i++) {
      const h = held[i];
      if (h === l || h === l.lastAfter) continue;
      if (l.after.has(h)) {
        l.lastAfter = h;
        continue;
      }
      l.after.set(h, { task: t.name, fn: t.fn() });
      // the reverse order seen before: an ABBA inversion
      const back = h.after.get(l);
      if (back !== undefined) {
        t.violation(
          'abba',
          `lock order inversion: ${t.name} takes ${l.key} while holding ${h.key} (in ${t.fn()}); ${back.task} took ${h.key} while holding ${l.key} (in ${back.fn})`,
        );
      }
    }
  }

  /** a may-sleep point */
  sleep(t: Task, why: string): void {
    if (t.spinDepth > 0) t.violation('sleep-in-spinlock', `${why} may sleep while holding spinlock ${t.spinlocksHeld().join(', ')}`);
  }

  /** contract check: `l` must not be held by `t` here */
  mustNotHold(t: Task, l: Lock, contract: string): boolean {
    if (l.heldBy(t)) {
      t.violation('lock-held-at-return', `${l.key} still held: ${contract}`);
      return false;
    }
    return true;
  }

  /** contract check: `l` must be held by `t` here */
  mustHold(t: Task, l: Lock, contract: string): boolean {
    if (!l.heldBy(t)) {
      t.violation('lock-not-held', `${l.key} not held: ${contract}`);
      return false;
    }
    return true;
  }
}
