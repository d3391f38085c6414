// Diagnostics for *.mmscenario.yaml as you type: the scenario loader's schema and semantic checks,
// debounced per document, with the engine's variant catalogue so unknown variant names are errors.
import * as vscode from 'vscode';
import { loadScenarioLibrary } from './libraries';

export function isScenarioDocument(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'mmscenario' || doc.fileName.endsWith('.mmscenario.yaml');
}

export class ScenarioDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('mmExplorer.scenario');
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.collection.delete(d.uri);
        this.cancel(d.uri.toString());
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  private cancel(key: string): void {
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
  }

  schedule(doc: vscode.TextDocument, delay?: number): void {
    if (!isScenarioDocument(doc)) return;
    const cfg = vscode.workspace.getConfiguration('mmExplorer.scenarios', doc.uri);
    if (!cfg.get<boolean>('validateAsYouType', true)) {
      this.collection.delete(doc.uri);
      return;
    }
    const key = doc.uri.toString();
    this.cancel(key);
    const wait = delay ?? cfg.get<number>('validationDelayMs', 300);
    this.timers.set(key, setTimeout(() => void this.validate(doc), wait));
  }

  /** Validate now; returns the diagnostics set (tests await this). */
  async validate(doc: vscode.TextDocument): Promise<vscode.Diagnostic[]> {
    this.timers.delete(doc.uri.toString());
    const lib = await loadScenarioLibrary();
    const version = doc.version;
    const found = lib.validateScenarioText(doc.getText(), vscode.workspace.asRelativePath(doc.uri), { variants: lib.variantCatalogue() });
    if (doc.isClosed || doc.version !== version) return [];
    const diags = found.map((d) => {
      const range = new vscode.Range(d.line - 1, d.column - 1, Math.max(d.line, d.endLine) - 1, d.endLine > d.line || d.endColumn > d.column ? d.endColumn - 1 : d.column);
      const out = new vscode.Diagnostic(range, d.message, d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
      out.source = 'mmscenario';
      return out;
    });
    this.collection.set(doc.uri, diags);
    return diags;
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.collection.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
