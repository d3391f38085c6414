// The extension's own folder (samples, bundled scenarios): nothing there is the user's, so Problems
// and edits never point into it.
import * as path from 'node:path';

import * as vscode from 'vscode';

/** A file in the extension's install folder. While the extension itself is developed (F5), that
 * folder is the developer's workspace, so nothing counts as installed. */
export function inInstallFolder(context: vscode.ExtensionContext, uri: vscode.Uri): boolean {
  if (context.extensionMode === vscode.ExtensionMode.Development || uri.scheme !== 'file') return false;
  const rel = path.relative(context.extensionUri.fsPath, uri.fsPath);
  return !rel.startsWith('..') && !path.isAbsolute(rel);
}
