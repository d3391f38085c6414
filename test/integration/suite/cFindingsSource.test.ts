// Where the C findings come from, in the real VS Code: the patch chosen with Analyze Patch, shown in the
// status bar, unchanged by opening other patches, re-chosen by Analyze Patch even when its analysis is
// cached, cleared and chosen from the picker, and kept in the workspace state across a restart.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';

import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';

import { api, closeAll, waitFor, workspaceFile } from './helpers';

suite('C findings source', () => {
  const seed = () => workspaceFile('patches', 'install_new_page-thread.txt');
  const driver = () => workspaceFile('drivers', 'demo_nopage.c');
  const findings = async () => (await api()).cAnnotations.annotate(await vscode.workspace.openTextDocument(driver()));

  suiteSetup(async () => {
    await api();
    await closeAll();
  });

  test('Analyze Patch makes its patch the source, named in the status bar', async function () {
    this.timeout(60000);
    const { cFindingsSource } = await api();
    await vscode.commands.executeCommand('mmExplorer.analyzePatch', seed());
    assert.equal(cFindingsSource.active?.uri, seed().toString());
    assert.match(cFindingsSource.status.text, /C findings: install_new_page-thread\.txt \(.*2\.5\.70-mm3.*\)/);
    assert.ok((await findings()).length > 0);
  });

  test('opening another patch does not change the C findings', async function () {
    this.timeout(60000);
    const { cFindingsSource, patches } = await api();
    const before = (await findings()).map((f) => f.message);
    const other = await vscode.workspace.openTextDocument(workspaceFile('patches', 'put_user_page-placeholder.patch'));
    await vscode.window.showTextDocument(other);
    await waitFor('the other patch to be analysed', () => patches.peek(other));
    await patches.peek(other);
    assert.equal(cFindingsSource.active?.uri, seed().toString());
    assert.deepEqual(
      (await findings()).map((f) => f.message),
      before,
    );
  });

  test('a garbage patch analysed on purpose becomes the source visibly; Analyze Patch on the first brings it back although cached', async function () {
    this.timeout(60000);
    const { cFindingsSource } = await api();
    const n = (await findings()).length;
    const garbage = workspaceFile('patches', 'garbage.patch');
    fs.writeFileSync(garbage.fsPath, 'this is not a patch\n--- nothing\n+++ here\n');
    await vscode.commands.executeCommand('mmExplorer.analyzePatch', garbage);
    assert.equal(cFindingsSource.active?.uri, garbage.toString());
    assert.match(cFindingsSource.status.text, /garbage\.patch — no API changes/);
    assert.equal((await findings()).length, 0);
    assert.equal(vscode.languages.getDiagnostics(driver()).filter((d) => d.source === 'mm-explorer').length, 0);
    await vscode.commands.executeCommand('mmExplorer.analyzePatch', seed());
    assert.equal(cFindingsSource.active?.uri, seed().toString());
    assert.equal((await findings()).length, n);
    assert.deepEqual(cFindingsSource.entries.map((e) => e.name).slice(0, 2), ['install_new_page-thread.txt', 'garbage.patch']);
  });

  test('the user clears and chooses the source; the choice survives a restart', async function () {
    this.timeout(60000);
    const { cFindingsSource } = await api();
    const n = (await findings()).length;
    await vscode.commands.executeCommand('mmExplorer.chooseCFindingsSource', null);
    assert.equal(cFindingsSource.active, undefined);
    assert.match(cFindingsSource.status.text, /C findings: none/);
    assert.equal((await findings()).length, 0);
    await vscode.commands.executeCommand('mmExplorer.chooseCFindingsSource', seed().toString());
    await closeAll();
    // what a restart keeps: the workspace state; the analysis itself is redone from the file
    cFindingsSource.reload();
    const activeUri = (): string | undefined => cFindingsSource.active?.uri;
    assert.equal(activeUri(), seed().toString());
    assert.equal((await findings()).length, n);
    fs.rmSync(workspaceFile('patches', 'garbage.patch').fsPath, { force: true });
    await cFindingsSource.forget(workspaceFile('patches', 'garbage.patch').toString());
  });
});
