// Which analysed patch the C-file findings come from, made explicit: the patches the user analysed
// (Analyze Patch) are listed, one is active, the user picks or clears it from a status-bar item, and
// the choice is kept in the workspace state across restarts. Opening other patches never changes it.
import * as path from 'node:path';

import * as vscode from 'vscode';

import type { Analysis } from '../patch/analysisModel';

import type { PatchStore } from './patchDocuments';

export interface SourceEntry {
  uri: string;
  /** the file name */
  name: string;
  /** the kernel versions the patch speaks of, e.g. 2.5.70-mm2 */
  versions: string[];
  apiChanges: number;
}

const ANALYSED = 'mmExplorer.cFindings.analysed';
const ACTIVE = 'mmExplorer.cFindings.active';
const MAX_ENTRIES = 20;

export function describeSource(uri: vscode.Uri, a: Analysis): SourceEntry {
  const versions = new Set<string>();
  for (const c of a.apiChanges) if (c.version) versions.add(c.version);
  for (const l of a.lockContracts) if (l.version) versions.add(l.version);
  return { uri: uri.toString(), name: path.basename(uri.path), versions: [...versions].sort(), apiChanges: a.apiChanges.length };
}

export function sourceLabel(e: SourceEntry): string {
  return `${e.name}${e.versions.length ? ` (${e.versions.join(', ')})` : ''}${e.apiChanges ? '' : ' — no API changes'}`;
}

export class CFindingsSource implements vscode.Disposable {
  readonly status = vscode.window.createStatusBarItem('mmExplorer.cFindingsSource', vscode.StatusBarAlignment.Right, 100);
  private readonly changed = new vscode.EventEmitter<SourceEntry | undefined>();
  readonly onDidChange = this.changed.event;
  private loaded: { uri: string; analysis: Promise<Analysis | undefined> } | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly state: vscode.Memento,
    private readonly store: PatchStore,
  ) {
    this.status.name = 'MM Explorer: C findings source';
    this.status.command = 'mmExplorer.chooseCFindingsSource';
    this.disposables.push(
      this.changed,
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
    );
    this.render();
  }

  /** the patches analysed with Analyze Patch, most recent first */
  get entries(): SourceEntry[] {
    return this.state.get<SourceEntry[]>(ANALYSED, []);
  }

  get active(): SourceEntry | undefined {
    const uri = this.state.get<string>(ACTIVE);
    return uri ? this.entries.find((e) => e.uri === uri) : undefined;
  }

  /** Analyze Patch: the patch becomes the source of the C findings (also when its analysis was cached). */
  async activate(uri: vscode.Uri, analysis: Analysis): Promise<void> {
    const e = describeSource(uri, analysis);
    await this.state.update(ANALYSED, [e, ...this.entries.filter((x) => x.uri !== e.uri)].slice(0, MAX_ENTRIES));
    await this.state.update(ACTIVE, e.uri);
    this.loaded = { uri: e.uri, analysis: Promise.resolve(analysis) };
    this.render();
    this.changed.fire(e);
  }

  /** Pick another analysed patch by its URI; undefined clears (no C findings). */
  async use(uri: string | undefined): Promise<SourceEntry | undefined> {
    if (uri !== undefined && !this.entries.some((e) => e.uri === uri)) throw new Error(`${uri} was not analysed`);
    await this.state.update(ACTIVE, uri);
    if (this.loaded?.uri !== uri) this.loaded = undefined;
    this.render();
    this.changed.fire(this.active);
    return this.active;
  }

  async forget(uri: string): Promise<void> {
    await this.state.update(
      ANALYSED,
      this.entries.filter((e) => e.uri !== uri),
    );
    if (this.state.get<string>(ACTIVE) === uri) await this.use(undefined);
    else this.render();
  }

  /** Drop the analysis held in memory, as a restart does: the next use analyses the active patch's file again. */
  reload(): void {
    this.loaded = undefined;
    this.render();
  }

  /** The analysis of the active patch; after a restart it is analysed again from its file. */
  current(): Promise<{ uri: vscode.Uri; analysis: Analysis } | undefined> {
    const e = this.active;
    if (!e) return Promise.resolve(undefined);
    if (this.loaded?.uri !== e.uri) {
      const uri = vscode.Uri.parse(e.uri);
      this.loaded = {
        uri: e.uri,
        analysis: Promise.resolve(vscode.workspace.openTextDocument(uri)).then(
          (doc) => this.store.analyze(doc),
          () => {
            this.status.text = `$(warning) C findings: ${e.name} is missing`;
            return undefined;
          },
        ),
      };
    }
    const uri = vscode.Uri.parse(e.uri);
    return this.loaded.analysis.then((analysis) => (analysis ? { uri, analysis } : undefined));
  }

  private render(): void {
    const e = this.active;
    const ed = vscode.window.activeTextEditor?.document;
    const inC = !!ed && (ed.languageId === 'c' || ed.languageId === 'cpp' || /\.(c|h)$/.test(ed.fileName));
    this.status.text = e ? `$(references) C findings: ${sourceLabel(e)}` : '$(circle-slash) C findings: none';
    this.status.tooltip = e
      ? `The C-file annotations check your sources against ${e.name}. Click to choose another analysed patch or to clear.`
      : 'No patch is chosen for the C-file annotations. Click to choose one, or run MM Explorer: Analyze Patch.';
    // shown where it matters: in C files, or once the user has analysed a patch
    if (inC || this.entries.length) this.status.show();
    else this.status.hide();
  }

  /** The status-bar item's picker: analysed patches, analyse another, clear. */
  async choose(): Promise<SourceEntry | undefined> {
    type Item = vscode.QuickPickItem & { act: 'use' | 'analyze' | 'clear'; uri?: string };
    const current = this.active?.uri;
    const items: Item[] = this.entries.map((e) => ({
      label: `${e.uri === current ? '$(check) ' : ''}${e.name}`,
      description: e.versions.join(', ') || undefined,
      detail: `${e.apiChanges} API change(s) · ${vscode.workspace.asRelativePath(vscode.Uri.parse(e.uri))}`,
      act: 'use',
      uri: e.uri,
    }));
    items.push({ label: '$(diff) Analyze another patch...', act: 'analyze' });
    if (current) items.push({ label: '$(circle-slash) No C findings', description: 'clear the source', act: 'clear' });
    const pick = await vscode.window.showQuickPick(items, {
      title: 'C findings from which analysed patch?',
      placeHolder: 'Patches you analysed with MM Explorer: Analyze Patch',
    });
    if (!pick) return this.active;
    if (pick.act === 'analyze') {
      await vscode.commands.executeCommand('mmExplorer.analyzePatch');
      return this.active;
    }
    return this.use(pick.act === 'clear' ? undefined : pick.uri);
  }

  dispose(): void {
    this.status.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
