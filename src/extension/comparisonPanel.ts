// The comparison panel on the host side: one webview, a strict nonce CSP, validated messages both
// ways, and a serializer so the panel comes back after a restart with the state the page saved.
import * as vscode from 'vscode';

import type { Comparison } from '../scenario/comparisonModel';
import type { Exploration } from '../scenario/explorationModel';
import {
  validatePanelState,
  validateWebviewMessage,
  type DrawnComparison,
  type HostToWebview,
  type Selection,
  type WebviewToHost,
} from '../webview/protocol';

export const PANEL_VIEW_TYPE = 'mmExplorer.panel';

export interface PanelEvents {
  onSelect(selection: Selection, fn: string | undefined): void;
  onReveal(fn: string): void;
  onExport(format: 'html' | 'json'): void;
}

function nonce(): string {
  const bytes = new Uint8Array(18);
  globalThis.crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('base64').replace(/[+/=]/g, '');
}

export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const n = nonce();
  const uri = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `script-src 'nonce-${n}'`,
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" id="vscode-codicon-stylesheet" href="${uri('dist', 'codicons', 'codicon.css')}">
<link rel="stylesheet" href="${uri('media', 'webview.css')}">
<title>MM Explorer</title>
</head>
<body>
<div id="root"></div>
<script nonce="${n}" src="${uri('dist', 'webview.js')}"></script>
</body>
</html>`;
}

export class ComparisonPanel {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private queue: HostToWebview[] = [];
  /** what the panel shows now: kept on the host for export, the tree and jump to source */
  comparison: Comparison | undefined;
  exploration: Exploration | undefined;
  selection: Selection | undefined;
  /** messages rejected by validation, for the log and for tests */
  readonly rejected: string[] = [];
  /** how many times the page reported it drew a result (tests wait on it before a screenshot) */
  renders = 0;
  /** what the page last reported it drew of a comparison (tests read the panel's content from it) */
  drawn: DrawnComparison | undefined;
  private readonly renderedEmitter = new vscode.EventEmitter<{ view: 'comparison' | 'exploration'; events: number }>();
  readonly onDidRender = this.renderedEmitter.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly events: PanelEvents,
    private readonly version: string,
  ) {}

  get visible(): boolean {
    return this.panel !== undefined;
  }

  registerSerializer(): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state: unknown) => {
        const s = validatePanelState(state);
        this.comparison = s?.comparison;
        this.exploration = s?.exploration;
        this.selection = s?.selection;
        this.adopt(panel);
        return Promise.resolve();
      },
    });
  }

  private options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'dist'), vscode.Uri.joinPath(this.context.extensionUri, 'media')],
    };
  }

  /** Show the panel; a new one gets what the host last showed (the page of a closed panel is gone). */
  show(): vscode.WebviewPanel {
    const existed = this.panel !== undefined;
    const panel = this.open();
    if (!existed) {
      if (this.comparison) this.post({ type: 'showComparison', comparison: this.comparison, selection: this.selection });
      else if (this.exploration) this.post({ type: 'showExploration', exploration: this.exploration, selection: this.selection });
    }
    return panel;
  }

  open(column = vscode.ViewColumn.Active): vscode.WebviewPanel {
    if (this.panel) {
      this.panel.reveal(column, true);
      return this.panel;
    }
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      'MM Explorer',
      { viewColumn: column, preserveFocus: false },
      this.options(),
    );
    this.adopt(panel);
    return panel;
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'media', 'icon.png');
    panel.webview.options = this.options();
    panel.webview.html = panelHtml(panel.webview, this.context.extensionUri);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      // a hidden page is discarded (no retainContextWhenHidden): hold messages until it says ready again
      panel.onDidChangeViewState((e) => {
        if (!e.webviewPanel.visible) this.ready = false;
      }),
      panel.onDidDispose(() => {
        this.panel = undefined;
        this.ready = false;
        while (this.disposables.length) this.disposables.pop()?.dispose();
      }),
    );
  }

  receive(m: unknown): void {
    const v = validateWebviewMessage(m);
    if (!v.ok) {
      this.rejected.push(v.error);
      return;
    }
    this.handle(v.message);
  }

  private handle(m: WebviewToHost): void {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.postNow({ type: 'version', version: this.version });
        // after a reload the page restores itself from its own state; send ours only if it has none
        for (const q of this.queue.splice(0)) this.postNow(q);
        break;
      case 'selectStep':
        this.selection = m.selection;
        this.events.onSelect(m.selection, m.fn);
        break;
      case 'revealFunction':
        this.events.onReveal(m.fn);
        break;
      case 'export':
        this.events.onExport(m.format);
        break;
      case 'compareVariants':
        void vscode.commands.executeCommand('mmExplorer.compareVariants');
        break;
      case 'rendered':
        this.renders++;
        this.drawn = m.view === 'comparison' ? m.drawn : undefined;
        this.renderedEmitter.fire({ view: m.view, events: m.events });
        break;
    }
  }

  private postNow(m: HostToWebview): void {
    void this.panel?.webview.postMessage(m);
  }

  post(m: HostToWebview): void {
    if (this.panel && this.ready) this.postNow(m);
    else this.queue.push(m);
  }

  showComparison(c: Comparison, selection?: Selection): void {
    this.comparison = c;
    this.exploration = undefined;
    this.selection = selection;
    this.open();
    this.panel!.title = `MM: ${c.title || c.scenario}`;
    this.queue = this.queue.filter((q) => q.type === 'version');
    this.post({ type: 'showComparison', comparison: c, selection });
  }

  showExploration(x: Exploration, selection?: Selection): void {
    this.exploration = x;
    this.comparison = undefined;
    this.selection = selection;
    this.open();
    this.panel!.title = `MM explore: ${x.title || x.scenario}`;
    this.queue = this.queue.filter((q) => q.type === 'version');
    this.post({ type: 'showExploration', exploration: x, selection });
  }

  /** the last status line shown for work that produced no view (a cancelled run) */
  statusMessage: string | undefined;

  /** Show the panel with a status line, e.g. that a run was cancelled; what it showed stays. */
  showStatus(message: string): void {
    this.statusMessage = message;
    this.show();
    this.post({ type: 'progress', message, done: true });
  }

  select(selection: Selection): void {
    this.selection = selection;
    this.post({ type: 'select', selection });
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
