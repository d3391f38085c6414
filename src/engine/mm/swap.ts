// Swap space: slots with a reference count (one per swap pte plus the swap cache) and the swap
// cache (slot -> page). The data a slot holds is the writes the page had seen when written out.

import { footprint } from '../sim/step';

import type { Page } from './page';

export interface SwapSlot {
  count: number;
  page: Page | null;
  userWrites: number;
}

/** footprint key prefix of a swap slot (see Footprint in step.ts) */
export const SWAP_SLOT_KEY = 'swap:slot:0x';

/** The slots by number. A look-up through the map hands out the slot to change: it is recorded as a
 * write of the slot (SwapSpace.lookup is the read-only look-up). */
class SwapSlotMap extends Map<number, SwapSlot> {
  override get(slot: number): SwapSlot | undefined {
    if (footprint.on) footprint.writes.push(SWAP_SLOT_KEY + slot.toString(16));
    return super.get(slot);
  }
  peek(slot: number): SwapSlot | undefined {
    if (footprint.on) footprint.reads.push(SWAP_SLOT_KEY + slot.toString(16));
    return super.get(slot);
  }
}

export class SwapSpace {
  readonly slots = new SwapSlotMap();
  private next = 1;
  /** get_swap_page(): which slot a page gets depends on the allocations before it */
  alloc(): number {
    if (footprint.on) footprint.writes.push('kernel:swap_map');
    const s = this.next++;
    this.slots.set(s, { count: 1, page: null, userWrites: 0 });
    return s;
  }
  /** lookup_swap_cache() */
  lookup(slot: number): Page | null {
    return this.slots.peek(slot)?.page ?? null;
  }
  /** swap_duplicate() */
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
