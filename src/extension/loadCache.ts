// A value loaded on first use and kept until something it was read from changes (the scenario
// library: its files, their open editors, the size setting). No vscode import (unit-tested in Node);
// the caller wires the events that invalidate it.
export class LoadCache<T> {
  private value: Promise<T> | undefined;
  /** how many times the value was loaded (tests, and the cost of a lens) */
  loads = 0;

  constructor(private readonly load: () => Promise<T>) {}

  /** the kept value, or a new load; callers asking during a load share it */
  get(): Promise<T> {
    if (this.value) return this.value;
    this.loads++;
    const p = this.load();
    this.value = p;
    // a failed load is not kept: the next caller tries again
    p.catch(() => {
      if (this.value === p) this.value = undefined;
    });
    return p;
  }

  /** the next get() loads again (a load under way still answers its callers, but is not kept) */
  invalidate(): void {
    this.value = undefined;
  }
}
