// The checks lockdep, might_sleep() and sparse make, recorded as violations (never thrown):
// unlock of a lock not held, sleeping (or taking a sleeping lock) with a spinlock held, ABBA order
// inversions between tasks, and a lock still held where a contract says it must be dropped.

import type { Lock } from './locks';
import type { Task } from './task';

interface Edge {
  task: string;
  fn: string;
}

export class Lockdep {
  /** order edges: held lock id * 2^24 + acquired lock id -> first witness */
  private readonly edges = new Map<number, Edge>();
  private readonly names = new Map<number, string>();

  /** called before `t` acquires `l` (blocking acquisition) */
  acquire(t: Task, l: Lock, shared: boolean): void {
    if (l.sleeping && t.spinDepth > 0) {
      t.violation('sleep-in-spinlock', `${shared ? l.acquireSharedLabel : l.acquireLabel} may sleep while holding spinlock ${t.spinlocksHeld().join(', ')}`);
    }
    const held = t.held;
    for (let i = 0; i < held.length; i++) {
      const h = held[i].lock;
      if (h === l) continue;
      const fwd = h.id * 16777216 + l.id;
      if (!this.edges.has(fwd)) {
        this.edges.set(fwd, { task: t.name, fn: t.fn() });
        this.names.set(h.id, h.key);
        this.names.set(l.id, l.key);
        const back = this.edges.get(l.id * 16777216 + h.id);
        // two readers of an rwsem do not deadlock each other; lockdep still reports the order for
        // exclusive locks, so only skip inversions where both sides are shared holds
        if (back !== undefined) {
          t.violation('abba', `lock order inversion: ${t.name} takes ${l.key} while holding ${h.key} (in ${t.fn()}); ${back.task} took ${h.key} while holding ${l.key} (in ${back.fn})`);
        }
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
