// A fixed-row-height virtual list: only the rows in view (plus a margin) exist in the DOM,
// so a trace of any length costs the same to draw and to scroll.

export type RowRenderer = (row: HTMLElement, index: number) => void;

export class VirtualList {
  readonly element: HTMLElement;
  private readonly spacer: HTMLElement;
  private pool: HTMLElement[] = [];
  private first = -1;
  private last = -1;
  private frame = 0;

  constructor(
    private readonly rowHeight: number,
    private rowCount: number,
    private readonly render: RowRenderer,
    cls = 'vlist',
  ) {
    this.element = document.createElement('div');
    this.element.className = cls;
    this.spacer = document.createElement('div');
    this.spacer.className = 'vlist-spacer';
    this.element.appendChild(this.spacer);
    this.spacer.style.height = `${rowCount * rowHeight}px`;
    this.element.addEventListener('scroll', () => {
      if (this.frame) return;
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.update();
      });
    });
  }

  get count(): number {
    return this.rowCount;
  }

  setCount(n: number): void {
    this.rowCount = n;
    this.spacer.style.height = `${n * this.rowHeight}px`;
    this.refresh();
  }

  /** Redraw the rows in view (after the selection or the data changed). */
  refresh(): void {
    this.first = -1;
    this.update();
  }

  update(): void {
    const h = this.element.clientHeight || 600;
    const top = this.element.scrollTop;
    const overscan = 8;
    const first = Math.max(0, Math.floor(top / this.rowHeight) - overscan);
    const last = Math.min(this.rowCount, Math.ceil((top + h) / this.rowHeight) + overscan);
    if (first === this.first && last === this.last) return;
    this.first = first;
    this.last = last;
    const need = last - first;
    while (this.pool.length < need) {
      const r = document.createElement('div');
      r.className = 'vlist-row';
      r.style.height = `${this.rowHeight}px`;
      this.element.appendChild(r);
      this.pool.push(r);
    }
    for (let i = 0; i < this.pool.length; i++) {
      const r = this.pool[i];
      if (i < need) {
        const index = first + i;
        r.hidden = false;
        r.style.transform = `translateY(${index * this.rowHeight}px)`;
        r.dataset.index = String(index);
        this.render(r, index);
      } else {
        r.hidden = true;
      }
    }
  }

  /** Scroll so that row i is visible, keeping it a few rows from the edges. */
  reveal(i: number): void {
    const h = this.element.clientHeight || 600;
    const y = i * this.rowHeight;
    const top = this.element.scrollTop;
    if (y < top + this.rowHeight) this.element.scrollTop = Math.max(0, y - 2 * this.rowHeight);
    else if (y + this.rowHeight > top + h - this.rowHeight) this.element.scrollTop = y - h + 3 * this.rowHeight;
    this.update();
  }

  renderedRows(): HTMLElement[] {
    return this.pool.filter((r) => !r.hidden);
  }
}
