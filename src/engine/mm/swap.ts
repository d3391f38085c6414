// Swap space: slots with a reference count (one per swap pte plus the swap cache) and the swap
// cache (slot -> page). The data a slot holds is the writes the page had seen when written out.

import type { Page } from './page';

export interface SwapSlot {
  count: number;
  page: Page | null;
  userWrites: number;
}

export class SwapSpace {
  readonly slots = new Map<number, SwapSlot>();
  private next = 1;
  /** get_swap_page() */
  alloc(): number {
    const s = this.next++;
    this.slots.set(s, { count: 1, page: null, userWrites: 0 });
    return s;
  }
  /** lookup_swap_cache() */
  lookup(slot: number): Page | null {
    return this.slots.get(slot)?.page ?? null;
  }
  dup(slot: number): void {
    const s = this.slots.get(slot);
    if (s) s.count++;
  }
  /** swap_free(): drop one reference; the slot disappears at zero */
  free(slot: number): void {
    const s = this.slots.get(slot);
    if (!s) return;
    if (--s.count <= 0) this.slots.delete(slot);
  }
}
