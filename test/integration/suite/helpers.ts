// Shared by the extension's integration suites: the activated API, waiting for conditions, paths.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';

import * as vscode from 'vscode';

import type { MmExplorerApi } from '../../../src/extension/extension';
import { repoPath } from '../paths';

export const EXTENSION_ID = 'mm-patch-explorer.mm-patch-explorer';

export async function api(): Promise<MmExplorerApi> {
  const ext = vscode.extensions.getExtension<MmExplorerApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} not installed`);
  return ext.isActive ? ext.exports : await ext.activate();
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function workspaceFile(...parts: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need the fixture workspace open');
  return vscode.Uri.joinPath(folder.uri, ...parts);
}

export const bundledScenario = (name: string): string => repoPath('scenarios', name);

/** the diagnostics of `uri` from `source`, once there are some */
export function waitForDiagnostics(uri: vscode.Uri, source: string, timeoutMs = 30000): Promise<vscode.Diagnostic[]> {
  return waitFor(
    `the ${source} diagnostics of ${path.basename(uri.fsPath)}`,
    () => {
      const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source === source);
      return d.length ? d : undefined;
    },
    timeoutMs,
  );
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function webviewTabOpen(): boolean {
  return vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputWebview));
}

export async function closeAll(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

export const basename = (u: vscode.Uri): string => path.basename(u.fsPath);
