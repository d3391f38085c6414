// The panel page: receives validated messages from the extension, draws a comparison or an
// exploration, keeps its state through setState, and reports the selected step back.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { ComparisonView } from './comparisonView';
import { el, icon } from './dom';
import { ExplorationPanel } from './explorationView';
import {
  type DrawnComparison,
  validateHostMessage,
  validatePanelState,
  type HostToWebview,
  type PanelState,
  type Selection,
  type WebviewToHost,
} from './protocol';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export class App {
  private state: PanelState = {};
  private comparisonView?: ComparisonView;
  private explorationView?: ExplorationPanel;
  private readonly content: HTMLElement;
  private readonly status: HTMLElement;
  private readonly notice: HTMLElement;

  constructor(
    private readonly root: HTMLElement,
    private readonly api: VsCodeApi,
  ) {
    this.status = el('p', { cls: 'muted', attrs: { id: 'status' }, text: 'Waiting for the extension…' });
    this.notice = el('div', { cls: 'notice', attrs: { id: 'notice', role: 'alert' } });
    this.notice.hidden = true;
    this.content = el('main', { attrs: { id: 'content' } }, [
      el('div', { cls: 'empty-state' }, [
        el('h1', { text: 'MM Patch Explorer' }),
        el('p', { text: 'Run a scenario, compare variants or explore schedules from the command palette (MM Explorer: …).' }),
      ]),
    ]);
    root.replaceChildren(this.notice, this.content, this.status);
    const restored = validatePanelState(api.getState());
    if (restored) this.restore(restored);
    window.addEventListener('message', (e: MessageEvent<unknown>) => this.receive(e.data));
    api.postMessage({ type: 'ready' });
  }

  private restore(s: PanelState): void {
    if (s.comparison) this.showComparison(s.comparison, s.selection);
    else if (s.exploration) this.showExploration(s.exploration, s.selection);
  }

  receive(data: unknown): void {
    const v = validateHostMessage(data);
    if (!v.ok) {
      // a malformed message is shown, never drawn
      this.notice.hidden = false;
      this.notice.replaceChildren(icon('warning'), el('span', { text: ` Ignored a malformed message (${v.error}).` }));
      return;
    }
    this.handle(v.message);
  }

  private handle(m: HostToWebview): void {
    switch (m.type) {
      case 'version':
        this.status.textContent = `Engine ${m.version}`;
        this.status.dataset.version = m.version;
        break;
      case 'showComparison':
        this.showComparison(m.comparison, m.selection);
        break;
      case 'showExploration':
        this.showExploration(m.exploration, m.selection);
        break;
      case 'select':
        this.applySelection(m.selection);
        break;
      case 'progress':
        this.status.textContent = m.message;
        break;
    }
  }

  private save(): void {
    this.api.setState(this.state);
  }

  private showComparison(c: NonNullable<PanelState['comparison']>, sel?: Selection): void {
    this.explorationView = undefined;
    const view = new ComparisonView(c, {
      onSelect: (run, step, fn) => {
        this.state.selection = { view: 'comparison', run, step };
        this.save();
        this.api.postMessage({ type: 'selectStep', selection: this.state.selection, fn });
      },
      onReveal: (fn) => this.api.postMessage({ type: 'revealFunction', fn }),
      onExport: (format) => this.api.postMessage({ type: 'export', format }),
    });
    this.comparisonView = view;
    this.state = { comparison: c, selection: sel };
    this.save();
    this.content.replaceChildren(view.element);
    if (sel && sel.view === 'comparison') {
      view.run = sel.run;
      view.step = sel.step;
    }
    view.mounted();
    const events = c.runs.reduce((n, r) => n + r.trace.length, 0);
    this.status.textContent = `${c.runs.length} variants · ${events} events`;
    this.api.postMessage({ type: 'rendered', view: 'comparison', events, drawn: drawnComparison(view.element) });
  }

  private showExploration(x: NonNullable<PanelState['exploration']>, sel?: Selection): void {
    this.comparisonView = undefined;
    const view = new ExplorationPanel(x, {
      onSelect: (counterexample, step, fn) => {
        this.state.selection = { view: 'exploration', counterexample, step };
        this.save();
        this.api.postMessage({ type: 'selectStep', selection: this.state.selection, fn });
      },
      onReveal: (fn) => this.api.postMessage({ type: 'revealFunction', fn }),
    });
    this.explorationView = view;
    this.state = { exploration: x, selection: sel };
    this.save();
    this.content.replaceChildren(view.element);
    if (sel && sel.view === 'exploration') view.mounted(sel.counterexample, sel.step);
    else view.mounted();
    this.status.textContent = `${x.schedules} schedules · ${x.violations.length} counterexample(s)`;
    this.api.postMessage({
      type: 'rendered',
      view: 'exploration',
      events: x.violations.reduce((n, c) => n + (c.replay?.trace.length ?? 0), 0),
    });
  }

  private applySelection(sel: Selection): void {
    if (sel.view === 'comparison' && this.comparisonView) {
      this.comparisonView.select(sel.run, sel.step, false);
      // a step chosen elsewhere (the tree's variant picker, a command) is brought into view
      this.comparisonView.revealTimeline();
    }
    if (sel.view === 'exploration' && this.explorationView) {
      if (sel.counterexample !== this.explorationView.cx) this.explorationView.show(sel.counterexample, sel.step, false);
      else this.explorationView.setStep(sel.step, false);
    }
  }
}

export function start(): App {
  const root = document.getElementById('root') ?? document.body;
  return new App(root, acquireVsCodeApi());
}

const text = (e: Element): string => (e.textContent ?? '').replace(/\s+/g, ' ').trim();

/** what the page shows of a comparison, read from the drawn elements (not from the data it was sent) */
export function drawnComparison(root: HTMLElement): DrawnComparison {
  const table = root.querySelector('table.invariant-table');
  const columns = table ? [...table.querySelectorAll('thead th')].slice(1).map(text) : [];
  const invariants = table
    ? [...table.querySelectorAll('tbody tr')].map((tr) => ({
        invariant: text(tr.querySelector('th') ?? tr),
        cells: [...tr.querySelectorAll('td')].map(text),
      }))
    : [];
  const cardEls = [...root.querySelectorAll('.run-card')];
  const cards = cardEls.map((c) => text(c.querySelector('h3') ?? c));
  const verdicts = cardEls.map((c) => [...c.querySelectorAll('ul.expectations > li')].map(text));
  return { columns, cards, verdicts, invariants };
}
