// Diagnostics for *.mmscenario.yaml as you type: the scenario loader's schema and semantic checks,
// debounced per document, with the engine's variant catalogue so unknown variant names are errors.
// The checker runs in a worker thread (scenarioValidator.ts) with a time limit and a memory cap;
// a document above the as-you-type size is checked on open and save only, above the scenario size
// limit not at all (a note says so).
import * as vscode from 'vscode';

import { sizeText } from '../scenario/limits';

import { loadScenarioLibrary } from './libraries';
import { LIMIT_SETTINGS } from './limits';
import { ScenarioValidator } from './scenarioValidator';
import { currentLimits, raiseHint } from './workspaceLimits';

export function isScenarioDocument(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'mmscenario' || doc.fileName.endsWith('.mmscenario.yaml');
}

export class ScenarioDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('mmExplorer.scenario');
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[] = [];

  private readonly validator: ScenarioValidator | undefined;

  /** workerFile: the bundled checker (dist/scenarioValidator.js); without one, checks run in this thread */
  constructor(workerFile?: string) {
    this.validator = workerFile ? new ScenarioValidator(workerFile) : undefined;
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidSaveTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, undefined, true)),
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

  schedule(doc: vscode.TextDocument, delay?: number, typed = false): void {
    if (!isScenarioDocument(doc)) return;
    const cfg = vscode.workspace.getConfiguration('mmExplorer.scenarios', doc.uri);
    if (!cfg.get<boolean>('validateAsYouType', true)) {
      this.collection.delete(doc.uri);
      return;
    }
    const key = doc.uri.toString();
    this.cancel(key);
    // a large document is checked when opened and saved, not at every keystroke
    if (typed && docLength(doc) > currentLimits(doc.uri).asYouTypeBytes) return;
    const wait = delay ?? cfg.get<number>('validationDelayMs', 300);
    this.timers.set(
      key,
      setTimeout(() => void this.validate(doc), wait),
    );
  }

  /** a note at the top of the document instead of its check */
  private note(doc: vscode.TextDocument, message: string): vscode.Diagnostic[] {
    const d = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 1), message, vscode.DiagnosticSeverity.Information);
    d.source = 'mmscenario';
    this.collection.set(doc.uri, [d]);
    return [d];
  }

  /** Validate now; returns the diagnostics set (tests await this). */
  async validate(doc: vscode.TextDocument): Promise<vscode.Diagnostic[]> {
    this.timers.delete(doc.uri.toString());
    const limits = currentLimits(doc.uri);
    const length = docLength(doc);
    if (length > limits.scenarioBytes)
      return this.note(
        doc,
        `Not checked: ${sizeText(length)} is more than the ${sizeText(limits.scenarioBytes)} a scenario may have (${raiseHint(LIMIT_SETTINGS.scenarioSizeMB, limits)}).`,
      );
    let version = doc.version;
    const file = vscode.workspace.asRelativePath(doc.uri);
    let found;
    if (this.validator) {
      const r = await this.validator.validate(doc.uri.toString(), doc.getText(), file);
      if (r.kind === 'superseded') return [];
      if (r.kind === 'failed') return doc.isClosed ? [] : this.note(doc, `Not checked: ${r.message}.`);
      found = r.diagnostics;
    } else {
      // no worker: only then do the checker, and with it the engine, load into this thread
      const lib = await loadScenarioLibrary();
      version = doc.version;
      found = lib.loadScenario(doc.getText(), file).diagnostics;
    }
    if (doc.isClosed || doc.version !== version) return [];
    const diags = found.map((d) => {
      const range = new vscode.Range(
        d.line - 1,
        d.column - 1,
        Math.max(d.line, d.endLine) - 1,
        d.endLine > d.line || d.endColumn > d.column ? d.endColumn - 1 : d.column,
      );
      const out = new vscode.Diagnostic(
        range,
        d.message,
        d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
      );
      out.source = 'mmscenario';
      return out;
    });
    this.collection.set(doc.uri, diags);
    return diags;
  }

  dispose(): void {
    this.validator?.dispose();
    for (const t of this.timers.values()) clearTimeout(t);
    this.collection.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** the document's length in characters, without copying its text */
function docLength(doc: vscode.TextDocument): number {
  return doc.offsetAt(doc.lineAt(doc.lineCount - 1).range.end);
}
