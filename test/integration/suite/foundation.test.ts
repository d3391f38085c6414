// Smoke suite for the harness itself: the extension is installed in this real VS Code, its commands
// are contributed and run, and its webview panel opens.
import * as assert from 'node:assert/strict';

import { suite, test, suiteSetup } from 'mocha';
import * as vscode from 'vscode';

import { screenshot } from '../screenshot';

const EXTENSION_ID = 'mm-patch-explorer.mm-patch-explorer';

suite('foundation', () => {
  let ext: vscode.Extension<unknown>;

  suiteSetup(() => {
    const found = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(found, `extension ${EXTENSION_ID} is not installed in the host`);
    ext = found;
  });

  test('runs in a real VS Code of the supported version', () => {
    const [major, minor] = vscode.version.split('.').map(Number);
    assert.ok(major > 1 || (major === 1 && minor >= 100), `VS Code ${vscode.version} is older than engines.vscode ^1.100.0`);
  });

  test('the manifest contributes the commands and they are registered once activated', async () => {
    const contributed = ((ext.packageJSON as { contributes?: { commands?: { command: string }[] } }).contributes?.commands ?? []).map(
      (c) => c.command,
    );
    assert.ok(contributed.includes('mmExplorer.showEngineVersion'));
    assert.ok(contributed.includes('mmExplorer.openPanel'));
    await ext.activate();
    const registered = await vscode.commands.getCommands(true);
    for (const c of contributed) assert.ok(registered.includes(c), `command ${c} contributed but not registered`);
  });

  test('Show Engine Version reports the version from the manifest', async () => {
    const version = (ext.packageJSON as { version: string }).version;
    const shown = await vscode.commands.executeCommand<unknown>('mmExplorer.showEngineVersion');
    assert.equal(typeof shown, 'string', 'the command returns the text it shows');
    assert.ok((shown as string).includes(version), `'${String(shown)}' does not mention ${version}`);
    // keep the toast out of later suites' screenshots
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  test('Open Panel opens a webview tab', async () => {
    await vscode.commands.executeCommand('mmExplorer.openPanel');
    const deadline = Date.now() + 10000;
    const isWebview = (t: vscode.Tab): boolean => t.input instanceof vscode.TabInputWebview;
    while (!vscode.window.tabGroups.all.some((g) => g.tabs.some(isWebview)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find(isWebview);
    assert.ok(tab, 'no webview tab after mmExplorer.openPanel');
    // give the webview a moment to load its bundle before the picture
    await new Promise((r) => setTimeout(r, 1500));
    await screenshot('foundation-panel');
  });
});
