// The checks lockdep, might_sleep() and sparse make, recorded as violations (never thrown):
// unlock of a lock not held, sleeping (or taking a sleeping lock) with a spinlock held, ABBA order
// inversions between tasks, and a lock still held where a contract says it must be dropped.

import type { Lock } from './locks';
import type { Task } from './task';

export class Lockdep {
  /** called before `t` acquires `l` (blocking acquisition) */
  acquire(t: Task, l: Lock, shared: boolean): void {
    // the kernel's documented nesting (locks.ts NESTS_OUTSIDE): an outer lock taken under an inner one
    const inner = l.nestsOutside;
    if (inner !== null) {
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
      const after = (l.after ??= new Map());
      if (after.has(h)) {
        l.lastAfter = h;
        continue;
      }
      after.set(h, { task: t.name, fn: t.fn() });
      // the reverse order seen before: an ABBA inversion
      const back = h.after?.get(l);
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
