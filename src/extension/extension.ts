// Extension entry point: registers the commands and opens the explorer panel.
import * as vscode from 'vscode';

interface Manifest {
  displayName?: string;
  version?: string;
}

/** Messages the webview may post; anything else is ignored. */
type WebviewMessage = { type: 'ready' };

function isWebviewMessage(m: unknown): m is WebviewMessage {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  return o.type === 'ready';
}

export function engineVersion(context: vscode.ExtensionContext): string {
  const pkg = context.extension.packageJSON as Manifest;
  return pkg.version ?? 'unknown';
}

function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 32; i++) s += chars.charAt(Math.floor(Math.random() * chars.length));
  return s;
}

function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const n = nonce();
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js'));
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource} 'nonce-${n}'`,
    `script-src 'nonce-${n}'`,
    `img-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>MM Explorer</title>
</head>
<body>
<div id="root"></div>
<script nonce="${n}" src="${script.toString()}"></script>
</body>
</html>`;
}

let currentPanel: vscode.WebviewPanel | undefined;

function openPanel(context: vscode.ExtensionContext): vscode.WebviewPanel {
  if (currentPanel) {
    currentPanel.reveal();
    return currentPanel;
  }
  const panel = vscode.window.createWebviewPanel('mmExplorer.panel', 'MM Explorer', vscode.ViewColumn.One, {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist'), vscode.Uri.joinPath(context.extensionUri, 'media')],
  });
  panel.webview.html = panelHtml(panel.webview, context.extensionUri);
  panel.webview.onDidReceiveMessage(
    (m: unknown) => {
      if (!isWebviewMessage(m)) return;
      // the webview announces itself; answer with the version so it can show it
      void panel.webview.postMessage({ type: 'version', version: engineVersion(context) });
    },
    undefined,
    context.subscriptions,
  );
  panel.onDidDispose(() => (currentPanel = undefined), undefined, context.subscriptions);
  currentPanel = panel;
  return panel;
}

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('mmExplorer.showEngineVersion', () => {
      const pkg = context.extension.packageJSON as Manifest;
      const text = `${pkg.displayName ?? 'MM Patch Explorer'} engine ${engineVersion(context)}`;
      void vscode.window.showInformationMessage(text);
      return text;
    }),
    vscode.commands.registerCommand('mmExplorer.openPanel', () => {
      openPanel(context);
      return true;
    }),
  );
}

export function deactivate(): void {
  currentPanel = undefined;
}
