// Explorer results: statistics and each counterexample schedule as a sequence diagram of tasks and
// locks, replayable step by step (the events after the current step are dimmed).
import type { TraceEvent } from '../engine/index';
import type { Exploration } from '../scenario/explorationModel';
import { button, el, icon, svg } from './dom';
import { baseName } from './comparisonView';
import { eventLine } from './eventText';
import { lockNames } from './lockTimeline';

export interface ExplorationCallbacks {
  onSelect(counterexample: number, step: number, fn: string | undefined): void;
  onReveal(fn: string): void;
}

const COL = 150;
const ROW = 24;
const TOP = 10;
/** beyond this many events the diagram shows the first ones and says so */
const MAX_EVENTS = 3000;

export class ExplorationPanel {
  readonly element: HTMLElement;
  private readonly diagramHost: HTMLElement;
  private readonly status: HTMLElement;
  private items: { e: TraceEvent; g: SVGGElement }[] = [];
  private maxStep = 0;
  private minStep = 0;
  cx = 0;
  step = 0;

  constructor(readonly exploration: Exploration, private readonly cb: ExplorationCallbacks) {
    const x = exploration;
    this.status = el('div', { cls: 'status', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.diagramHost = el('div', { cls: 'sequence', attrs: { tabindex: '0', 'aria-label': 'Counterexample sequence diagram; j/k or arrows replay step by step' } });
    this.diagramHost.addEventListener('keydown', (e) => this.onKey(e));
    const stats = el('table', { cls: 'stats' }, [
      el('tbody', {}, [
        this.statRow('Variant', x.variant),
        this.statRow('Schedules explored', String(x.schedules)),
        this.statRow('Distinct states', String(x.states)),
        this.statRow('Search', x.cancelled ? 'cancelled (partial)' : x.complete ? 'complete' : 'bounded or stopped early'),
        this.statRow('Time', `${x.timeMs.toFixed(1)} ms`),
        this.statRow('Violations', String(x.violations.length)),
      ]),
    ]);
    const picker = el('select', { cls: 'cx-picker', attrs: { 'aria-label': 'Counterexample' } });
    x.violations.forEach((c, i) => picker.appendChild(el('option', { text: `${i + 1}. ${c.invariant}: ${c.message}`, attrs: { value: String(i) } })));
    picker.addEventListener('change', () => this.show(Number(picker.value), 0, true));
    const controls = el('div', { cls: 'toolbar replay' }, [
      button('First', 'debug-restart', () => this.setStep(this.minStep, true)),
      button('Back', 'debug-step-back', () => this.setStep(this.prevStep(), true)),
      button('Step', 'debug-step-over', () => this.setStep(this.nextStep(), true)),
      button('Last', 'debug-continue', () => this.setStep(this.maxStep, true)),
    ]);
    this.element = el('div', { cls: 'exploration' }, [
      el('header', { cls: 'header' }, [el('h1', { text: x.title || x.scenario }), el('div', { cls: 'scenario-name', text: `${baseName(x.scenario)} · explore ${x.variant}`, title: x.scenario })]),
      x.cancelled
        ? el('div', { cls: 'banner partial', attrs: { role: 'status' } }, [icon('circle-slash'), el('span', { text: ` Cancelled after ${x.schedules} schedules: what is shown is partial, and no schedule left unexplored is ruled out.` })])
        : null,
      stats,
      x.violations.length
        ? el('div', {}, [el('h2', { text: 'Counterexample' }), picker, controls, this.diagramHost, this.status])
        : x.cancelled
          ? el('div', { cls: 'banner partial' }, [icon('circle-slash'), el('span', { text: ' No violation found before the search was cancelled.' })])
          : el('div', { cls: 'banner same' }, [icon('pass'), el('span', { text: x.complete ? ' No violation in any schedule: the search was complete.' : ' No violation found within the bounds.' })]),
    ]);
  }

  mounted(counterexample = 0, step?: number): void {
    if (this.exploration.violations.length) this.show(counterexample, step, false);
  }

  private statRow(k: string, v: string): HTMLElement {
    return el('tr', {}, [el('th', { text: k, attrs: { scope: 'row' } }), el('td', { text: v })]);
  }

  /** Draw counterexample `cx`; without a step, start at its first one. */
  show(cx: number, step: number | undefined, notify: boolean): void {
    const c = this.exploration.violations[cx];
    if (!c) return;
    this.cx = cx;
    // the counterexample run to its end, as the host replayed it
    const full = c.replay?.trace ?? [];
    const schedule = c.replay?.schedule ?? c.schedule;
    const trace = full.slice(0, MAX_EVENTS);
    const tasks = this.exploration.tasks;
    const locks: string[] = [];
    const lockName = lockNames(trace);
    for (let i = 0; i < trace.length; i++) {
      const name = lockName[i];
      if (name && !locks.includes(name)) locks.push(name);
    }
    const lifelines = [...tasks.map((t) => ({ name: t, kind: 'task' })), ...locks.map((l) => ({ name: l, kind: 'lock' }))];
    const width = lifelines.length * COL + 40;
    const height = TOP + trace.length * ROW + 20;
    const s = svg('svg', { width, height, class: 'seq', role: 'img' });
    s.setAttribute('aria-label', `Schedule ${schedule.join(' ')}`);
    const xOf = (i: number) => 20 + i * COL + COL / 2;
    // the names of the lifelines stay in view while the diagram scrolls (a sticky strip of their own)
    const head = svg('svg', { width, height: 24, class: 'seq-head' });
    lifelines.forEach((l, i) => {
      const name = l.name.length > 20 ? `${l.name.slice(0, 19)}…` : l.name;
      const g = svg('g');
      g.appendChild(svg('title', {}, l.name));
      g.appendChild(svg('text', { x: xOf(i), y: 16, class: `lifeline-head ${l.kind}`, 'text-anchor': 'middle' }, name));
      head.appendChild(g);
      s.appendChild(svg('line', { x1: xOf(i), y1: 0, x2: xOf(i), y2: height - 10, class: `lifeline ${l.kind}${l.kind === 'task' ? ` task-${i % 8}` : ''}` }));
    });
    this.items = [];
    this.maxStep = 0;
    trace.forEach((e, i) => {
      if (e.step > this.maxStep) this.maxStep = e.step;
      const y = TOP + i * ROW + ROW / 2;
      const g = svg('g', { class: `ev kind-${e.kind}`, 'data-step': e.step });
      const tx = xOf(e.task);
      if (e.kind === 'lock' || e.kind === 'unlock') {
        const li = tasks.length + locks.indexOf(lockName[i] ?? '');
        const lx = li >= tasks.length ? xOf(li) : tx + 40;
        const [x1, x2] = e.kind === 'lock' ? [tx, lx] : [lx, tx];
        g.appendChild(svg('line', { x1, y1: y, x2, y2: y, class: `arrow ${e.kind}` }));
        g.appendChild(svg('circle', { cx: x2, cy: y, r: 3, class: 'arrow-head' }));
        g.appendChild(svg('text', { x: (x1 + x2) / 2, y: y - 4, 'text-anchor': 'middle', class: 'arrow-label' }, `${e.detail || (e.kind === 'lock' ? 'acquire' : 'release')} · ${e.fn}`));
      } else {
        g.appendChild(svg('rect', { x: tx - 5, y: y - 7, width: 10, height: 14, class: `activation task-${e.task % 8}` }));
        g.appendChild(svg('text', { x: tx + 10, y: y + 4, class: 'ev-label' }, `${e.step}: ${eventLine(e)}`));
      }
      g.appendChild(svg('title', {}, `step ${e.step} · ${tasks[e.task] ?? e.task} · ${e.kind} · ${eventLine(e)} · held: ${e.locks.join(', ') || 'none'}`));
      s.appendChild(g);
      this.items.push({ e, g });
    });
    const notes: Node[] = [head, s];
    if (full.length > MAX_EVENTS) notes.push(el('div', { cls: 'muted', text: `First ${MAX_EVENTS} of ${full.length} events shown.` }));
    notes.push(el('div', { cls: 'muted schedule', text: `Schedule: ${schedule.join(' ')}` }));
    this.diagramHost.replaceChildren(...notes);
    this.minStep = trace.length ? trace[0].step : 0;
    this.setStep(step ?? this.minStep, notify);
  }

  private nextStep(): number {
    for (const it of this.items) if (it.e.step > this.step) return it.e.step;
    return this.step;
  }

  private prevStep(): number {
    let p = this.minStep;
    for (const it of this.items) {
      if (it.e.step >= this.step) break;
      p = it.e.step;
    }
    return p;
  }

  setStep(step: number, notify: boolean): void {
    this.step = Math.max(this.minStep, Math.min(this.maxStep, step));
    let fn: string | undefined;
    let currentEl: SVGGElement | undefined;
    for (const it of this.items) {
      const cls = it.e.step < this.step ? 'past' : it.e.step === this.step ? 'current' : 'future';
      it.g.setAttribute('class', `ev kind-${it.e.kind} ${cls}`);
      if (cls === 'current') {
        fn = it.e.fn || fn;
        currentEl ??= it.g;
      }
    }
    currentEl?.scrollIntoView?.({ block: 'nearest' });
    this.status.textContent = `Step ${this.step} of ${this.maxStep}${fn ? ` · ${fn}` : ''}`;
    if (notify) this.cb.onSelect(this.cx, this.step, fn);
  }

  onKey(e: KeyboardEvent): void {
    let handled = true;
    if (e.key === 'ArrowDown' || e.key === 'j' || e.key === 'ArrowRight') this.setStep(this.nextStep(), true);
    else if (e.key === 'ArrowUp' || e.key === 'k' || e.key === 'ArrowLeft') this.setStep(this.prevStep(), true);
    else if (e.key === 'Home') this.setStep(this.minStep, true);
    else if (e.key === 'End') this.setStep(this.maxStep, true);
    else if (e.key === 'Enter') {
      const cur = this.items.find((it) => it.e.step === this.step);
      if (cur?.e.fn) this.cb.onReveal(cur.e.fn);
    } else handled = false;
    if (handled) e.preventDefault();
  }
}
