// The comparison panel: variants side by side, timelines aligned by step, lock swimlanes,
// invariant outcomes, fault results and signals, the first divergence, keyboard stepping.
import type { TraceEvent } from '../engine/index';
import type { Comparison, ExpectationOutcome, VariantRun } from '../scenario/comparisonModel';

import { button, el, icon, svg } from './dom';
import { eventIcon, eventLine, eventTitle } from './eventText';
import { bucketSegments, lockLanes } from './lockTimeline';
import { alignTraces, eventAt, eventsAtStep, neighbourStep, type AlignedTimeline } from './timelineModel';
import { VirtualList } from './virtualList';

export const ROW_HEIGHT = 22;

/** the file name of a scenario path (the full path goes in the tooltip) */
export function baseName(p: string): string {
  return p.split(/[\\/]/).pop() || p;
}

export interface ComparisonCallbacks {
  onSelect(run: number, step: number, fn: string | undefined): void;
  onReveal(fn: string): void;
  onExport(format: 'html' | 'json'): void;
}

function variantText(r: VariantRun): string {
  const v = r.variants;
  return (['fault', 'gup', 'release', 'remap'] as const)
    .filter((k) => v[k])
    .map((k) => `${k}=${v[k]}`)
    .join(' ');
}

/** How an expectation outcome is shown: a race found as expected is not the same news as a proof of
 * absence, and a cancelled search decides nothing. */
export function outcomeOf(x: { text: string; met: boolean; undecided?: true }): { cls: string; icon: string; label: string } {
  if (x.undecided) return { cls: 'undecided', icon: 'circle-slash', label: 'undecided' };
  if (!x.met) return { cls: 'unmet', icon: 'error', label: 'not met' };
  if (x.text.startsWith('violation:') || x.text === 'clean: false')
    return { cls: 'met found', icon: 'bug', label: 'race found as expected' };
  if (x.text.startsWith('never:') || x.text === 'clean: true') return { cls: 'met proven', icon: 'verified', label: 'proven absent' };
  return { cls: 'met', icon: 'pass', label: 'met' };
}

/** What an outcome speaks of (the words of scopeText in src/scenario/expectations.ts): all schedules,
 * some schedule, this run, or another run than the one on the card. Empty for a comparison saved
 * before outcomes carried it. */
export function scopeOf(x: Pick<ExpectationOutcome, 'scope' | 'on' | 'shown'>): string {
  if (x.scope !== 'run') return x.scope ?? '';
  const on = x.on ?? 'default schedule';
  if (!x.shown) return on;
  return x.shown.same ? `this run: ${on}` : `${on}, not the run shown`;
}

export class ComparisonView {
  readonly element: HTMLElement;
  readonly timeline: AlignedTimeline;
  private readonly list: VirtualList;
  private readonly lanes: { cursor: SVGRectElement; width: number }[] = [];
  private readonly detail: HTMLElement;
  private readonly status: HTMLElement;
  private readonly timelineTitle = el('h2', { text: 'Timeline' });
  run = 0;
  step = 0;

  constructor(
    readonly comparison: Comparison,
    private readonly cb: ComparisonCallbacks,
  ) {
    const c = comparison;
    this.timeline = alignTraces(c.runs.map((r) => r.trace));
    this.element = el('div', { cls: 'comparison' });
    // one grid column per run (CSSOM, not a style attribute: the CSP allows it)
    this.element.style.setProperty('--mm-cols', String(Math.max(1, c.runs.length)));
    this.status = el('div', { cls: 'status', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.detail = el('div', { cls: 'step-detail' });
    this.list = new VirtualList(ROW_HEIGHT, this.timeline.rowCount, (row, i) => this.renderRow(row, i), 'vlist timeline-rows');
    this.list.element.tabIndex = 0;
    this.list.element.setAttribute('role', 'grid');
    this.list.element.setAttribute(
      'aria-label',
      'Trace events aligned by step; j/k or arrows step, h/l change variant, Enter reveals the function',
    );
    this.list.element.addEventListener('keydown', (e) => this.onKey(e));
    this.list.element.addEventListener('click', (e) => this.onClick(e));

    const partial = this.partialBanner();
    this.element.append(
      this.header(),
      ...(partial ? [partial] : []),
      this.divergenceBanner(),
      this.scheduleLine(),
      this.summary(),
      this.invariantTable(),
      this.swimlanes(),
      this.timelineTitle,
      this.timelineHeader(),
      this.list.element,
      this.detail,
      this.status,
    );
    const first = this.timeline.steps.length ? this.timeline.steps[0] : 0;
    this.step = first;
  }

  /** Call once the element is in the document (the list measures its height). */
  mounted(): void {
    this.list.refresh();
    this.select(this.run, this.step, false);
  }

  private header(): HTMLElement {
    const c = this.comparison;
    return el('header', { cls: 'header' }, [
      el('h1', { text: c.title || c.scenario }),
      el('div', { cls: 'scenario-name', text: baseName(c.scenario), title: c.scenario }),
      c.description ? el('p', { cls: 'description', text: c.description }) : null,
      el('div', { cls: 'toolbar' }, [
        button('Export HTML', 'export', () => this.cb.onExport('html'), 'Save a self-contained HTML report'),
        button('Export JSON', 'json', () => this.cb.onExport('json'), 'Save the comparison as JSON'),
      ]),
    ]);
  }

  /** a cancelled run: say so first, and which columns did not finish */
  private partialBanner(): HTMLElement | null {
    const p = this.comparison.partial;
    if (!p) return null;
    const ran = this.comparison.runs.map((r) => r.label);
    const missing = p.requested.filter((l) => !ran.includes(l));
    return el('div', { cls: 'banner partial', attrs: { role: 'status' } }, [
      icon('circle-slash'),
      el('span', {
        text: ` Cancelled: ${ran.length} of ${p.requested.length} columns ran${missing.length ? ` (${missing.join(', ')} did not)` : ''}. What is shown is partial; what the search could not decide is marked undecided.`,
      }),
    ]);
  }

  private scheduleLine(): HTMLElement {
    const s = this.comparison.schedule;
    return el('div', { cls: 'schedule muted', text: s ? `Schedule (${s.source}): ${s.text}` : '' });
  }

  private divergenceBanner(): HTMLElement {
    const d = this.comparison.firstDivergence;
    if (!d) {
      return el('div', { cls: 'banner same' }, [icon('pass'), el('span', { text: ' The traces do not diverge.' })]);
    }
    return el('div', { cls: 'banner divergence', attrs: { 'data-step': String(d.step) } }, [
      icon('git-compare'),
      // the model's summary starts with its own "step N:" (for the CLI); the banner says it once
      el('span', { text: ` First divergence at step ${d.step}: ${d.summary.replace(/^step \d+:\s*/, '')} ` }),
      button('Go to step', 'arrow-right', () => this.select(this.run, d.step, true)),
    ]);
  }

  private summary(): HTMLElement {
    const cards = this.comparison.runs.map((r, i) => {
      const expectations = r.expectations.map((x) => {
        const o = outcomeOf(x);
        const scope = scopeOf(x);
        // checked on another run than this card's: what this run gives, marked where it differs
        const other = x.shown && !x.shown.same ? x.shown : undefined;
        return el('li', { cls: o.cls, title: x.detail }, [
          icon(o.icon, o.label),
          el('span', { cls: 'outcome', text: ` ${o.label}: ` }),
          el('span', { text: x.text }),
          scope ? el('span', { cls: 'scope', text: ` (${scope})` }) : null,
          x.detail ? el('span', { cls: 'muted', text: ` — ${x.detail}` }) : null,
          other
            ? el('span', {
                cls: other.met === x.met ? 'shown muted' : 'shown differs',
                text:
                  other.met === x.met && other.detail === x.detail
                    ? '; the same in the run shown'
                    : `; the run shown: ${other.detail}${other.met === x.met ? '' : other.met ? ' (met there)' : ' (not met there)'}`,
              })
            : null,
        ]);
      });
      const results = r.results.map((x) =>
        el('li', { cls: x.signal ? 'signal' : '' }, [
          icon(x.signal ? 'bell' : 'zap'),
          el('span', { text: ` ${x.task} #${x.index} ${x.op}: ${x.result}${x.signal ? ` (${x.signal})` : ''}` }),
        ]),
      );
      return el('section', { cls: `run-card run-${i}`, attrs: { 'data-run': String(i) } }, [
        el('h3', { text: r.label }),
        el('div', { cls: 'muted', text: variantText(r) }),
        el('div', {
          cls: r.violations.length ? 'violations bad' : 'violations ok',
          text: `${r.violations.length} violation${r.violations.length === 1 ? '' : 's'} in this run`,
        }),
        r.exploration
          ? el('div', {
              cls: 'muted',
              text: `explored ${r.exploration.schedules} schedules, ${r.exploration.states} states${r.exploration.complete ? ', complete' : ''}`,
            })
          : null,
        expectations.length ? el('ul', { cls: 'expectations' }, expectations) : null,
        el('details', {}, [
          el('summary', { text: `Fault results and signals (${r.results.length})` }),
          el('ul', { cls: 'results' }, results),
        ]),
      ]);
    });
    return el('div', { cls: 'run-cards' }, cards);
  }

  private invariantTable(): HTMLElement {
    const c = this.comparison;
    const head = el('tr', {}, [el('th', { text: 'Invariant' }), ...c.runs.map((r) => el('th', { text: r.label }))]);
    const rows = c.invariants.map((row) =>
      el('tr', {}, [
        el('th', { text: row.invariant, attrs: { scope: 'row' } }),
        ...row.counts.map((n, i) => {
          // this run's count, and what the exploration of that variant found over all schedules
          const x = row.explored?.[i];
          const bad = n > 0 || x === 'violated';
          return el('td', { cls: bad ? 'bad' : 'ok', title: x ? `exploration: ${x}` : undefined }, [
            icon(bad ? 'error' : 'pass'),
            el('span', { text: n > 0 ? ` ${n} violated` : ' held' }),
            x ? el('span', { cls: 'muted', text: ` · all schedules: ${x}` }) : null,
          ]);
        }),
      ]),
    );
    return el('div', { cls: 'invariants' }, [
      el('h2', { text: 'Invariants' }),
      el('table', { cls: 'invariant-table' }, [el('thead', {}, [head]), el('tbody', {}, rows)]),
    ]);
  }

  private swimlanes(): HTMLElement {
    const c = this.comparison;
    const maxStep = this.timeline.maxStep;
    const width = maxStep + 1;
    const blocks = c.runs.map((r, ri) => {
      const lanes = lockLanes(r.trace, r.violations, maxStep);
      const nTasks = Math.max(1, c.tasks.length);
      const rows = lanes.map((lane) => {
        const s = svg('svg', { viewBox: `0 0 ${width} ${nTasks}`, preserveAspectRatio: 'none', class: 'lane', role: 'img' });
        s.setAttribute('aria-label', `${lane.lock} in ${r.label}`);
        for (const seg of bucketSegments(lane.segments, width)) {
          const rect = svg('rect', {
            x: seg.from,
            y: seg.task,
            width: Math.max(0.2, seg.to - seg.from),
            height: 1,
            class: `seg task-${seg.task % 8}${seg.mode === 'r' ? ' shared' : ''}`,
          });
          rect.appendChild(
            svg(
              'title',
              {},
              `${c.tasks[seg.task] ?? seg.task} holds ${lane.lock}${seg.mode ? ` (${seg.mode})` : ''}, steps ${seg.from}–${seg.to - 1}`,
            ),
          );
          s.appendChild(rect);
        }
        for (const v of lane.violations) {
          const m = svg('rect', { x: v.step, y: 0, width: Math.max(0.4, width / 300), height: nTasks, class: 'viol' });
          m.appendChild(svg('title', {}, `${v.invariant} at step ${v.step}${v.task ? ` (${v.task})` : ''}: ${v.message}`));
          s.appendChild(m);
        }
        const cursor = svg('rect', { x: 0, y: 0, width: Math.max(0.3, width / 400), height: nTasks, class: 'cursor' });
        s.appendChild(cursor);
        this.lanes.push({ cursor, width });
        s.addEventListener('click', (e) => {
          const box = s.getBoundingClientRect();
          const step = Math.floor(((e.clientX - box.left) / Math.max(1, box.width)) * width);
          this.select(ri, Math.min(maxStep, Math.max(0, step)), true);
        });
        return el('div', { cls: `lane-row${lane.violations.length ? ' has-violation' : ''}` }, [
          el('div', { cls: 'lane-label', text: lane.lock, title: `${lane.violations.length} violation(s) on ${lane.lock}` }, []),
          s,
        ]);
      });
      return el('section', { cls: 'swimlane', attrs: { 'data-run': String(ri) } }, [
        el('h3', { text: r.label }),
        rows.length ? el('div', { cls: 'lanes' }, rows) : el('div', { cls: 'muted', text: 'No lock taken.' }),
      ]);
    });
    const legend = el(
      'div',
      { cls: 'legend' },
      c.tasks.map((t, i) => el('span', { cls: `chip task-${i % 8}`, text: t })),
    );
    return el('div', { cls: 'swimlanes' }, [el('h2', { text: 'Locks' }), legend, el('div', { cls: 'swimlane-grid' }, blocks)]);
  }

  private timelineHeader(): HTMLElement {
    return el('div', { cls: 'timeline-head', attrs: { role: 'row' } }, [
      el('div', { cls: 'gutter', text: 'step' }),
      ...this.comparison.runs.map((r) => el('div', { cls: 'cell head', text: r.label, attrs: { role: 'columnheader' } })),
    ]);
  }

  private renderRow(row: HTMLElement, i: number): void {
    const t = this.timeline;
    const s = t.rowStep[i];
    const k = t.rowK[i];
    const d = this.comparison.firstDivergence;
    row.className = `vlist-row trow${s === this.step ? ' selected' : ''}${d && d.step === s ? ' divergence' : ''}${k === 0 ? ' step-start' : ''}`;
    row.setAttribute('role', 'row');
    row.dataset.step = String(s);
    const cells: HTMLElement[] = [el('div', { cls: 'gutter', text: k === 0 ? String(s) : '' })];
    for (let r = 0; r < t.runs.length; r++) {
      const e = eventAt(t, r, i);
      if (!e) {
        cells.push(el('div', { cls: 'cell empty', attrs: { 'data-run': String(r) } }));
        continue;
      }
      const idx = t.runs[r].order[t.runs[r].stepStart[s] + k];
      const diverges = d !== null && d.eventIndex[r] === idx;
      const cell = el(
        'div',
        {
          cls: `cell kind-${e.kind} lane-${e.task % 8}${r === this.run && s === this.step ? ' current' : ''}${diverges ? ' diverges' : ''}`,
          title: eventTitle(e, this.comparison.tasks),
          attrs: { 'data-run': String(r), role: 'gridcell' },
        },
        [
          el('span', { cls: `chip task-${e.task % 8}`, text: this.comparison.tasks[e.task] ?? String(e.task) }),
          icon(eventIcon(e)),
          el('span', { cls: 'text', text: eventLine(e) }),
        ],
      );
      cells.push(cell);
    }
    row.replaceChildren(...cells);
  }

  private onClick(e: MouseEvent): void {
    const target = e.target as HTMLElement;
    const row = target.closest<HTMLElement>('.vlist-row');
    const cell = target.closest<HTMLElement>('.cell');
    if (!row || row.dataset.step === undefined) return;
    const run = cell?.dataset.run !== undefined ? Number(cell.dataset.run) : this.run;
    this.select(run, Number(row.dataset.step), true);
    this.list.element.focus();
  }

  onKey(e: KeyboardEvent): void {
    const t = this.timeline;
    let handled = true;
    switch (e.key) {
      case 'ArrowDown':
      case 'j':
        this.select(this.run, neighbourStep(t, this.step, 1), true);
        break;
      case 'ArrowUp':
      case 'k':
        this.select(this.run, neighbourStep(t, this.step, -1), true);
        break;
      case 'ArrowRight':
      case 'l':
        this.select(Math.min(this.comparison.runs.length - 1, this.run + 1), this.step, true);
        break;
      case 'ArrowLeft':
      case 'h':
        this.select(Math.max(0, this.run - 1), this.step, true);
        break;
      case 'Home':
        if (t.steps.length) this.select(this.run, t.steps[0], true);
        break;
      case 'End':
        if (t.steps.length) this.select(this.run, t.steps[t.steps.length - 1], true);
        break;
      case 'd':
        if (this.comparison.firstDivergence) this.select(this.run, this.comparison.firstDivergence.step, true);
        break;
      case 'Enter': {
        const fn = this.currentFunction();
        if (fn) this.cb.onReveal(fn);
        break;
      }
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  }

  revealTimeline(): void {
    this.timelineTitle.scrollIntoView?.({ block: 'start' });
  }

  /** The kernel function the selected step ends in, in the selected run. */
  currentFunction(): string | undefined {
    const evs = eventsAtStep(this.timeline, this.run, this.step);
    for (let i = evs.length - 1; i >= 0; i--) if (evs[i].fn) return evs[i].fn;
    return undefined;
  }

  select(run: number, step: number, notify: boolean): void {
    const runs = this.comparison.runs.length;
    this.run = Math.max(0, Math.min(runs - 1, run));
    this.step = Math.max(0, Math.min(this.timeline.maxStep, step));
    const row = this.timeline.firstRow[this.step];
    if (row >= 0) this.list.reveal(row);
    this.list.refresh();
    for (const l of this.lanes) l.cursor.setAttribute('x', String(this.step));
    this.renderDetail();
    const fn = this.currentFunction();
    this.status.textContent = `Step ${this.step} · ${this.comparison.runs[this.run]?.label ?? ''}${fn ? ` · ${fn}` : ''}`;
    if (notify) this.cb.onSelect(this.run, this.step, fn);
  }

  private renderDetail(): void {
    const r = this.comparison.runs[this.run];
    if (!r) return;
    const evs: TraceEvent[] = eventsAtStep(this.timeline, this.run, this.step);
    const items = evs.map((e) =>
      el('li', { cls: `kind-${e.kind}` }, [
        icon(eventIcon(e)),
        el('span', { text: ` ${this.comparison.tasks[e.task] ?? e.task}: ${eventLine(e)}` }),
        el('span', { cls: 'muted', text: e.locks.length ? `  [${e.locks.join(', ')}]` : '' }),
      ]),
    );
    const viol = r.violations
      .filter((v) => v.step === this.step)
      .map((v) => el('li', { cls: 'kind-violation' }, [icon('error'), el('span', { text: ` ${v.invariant}: ${v.message}` })]));
    const fn = this.currentFunction();
    this.detail.replaceChildren(
      el('h3', { text: `Step ${this.step} in ${r.label}` }),
      el('ul', {}, [...items, ...viol]),
      fn ? button(`Reveal ${fn}`, 'go-to-file', () => this.cb.onReveal(fn), 'Show this kernel function in the analysed patch') : el('span'),
    );
  }
}
