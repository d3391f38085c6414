// Webview entry: renders the panel and talks to the extension through typed messages.

/** Messages this page posts to the extension. */
export type ToExtension = { type: 'ready' };
/** Messages the extension posts to this page. */
export type FromExtension = { type: 'version'; version: string };

interface VsCodeApi {
  postMessage(message: ToExtension): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

function isFromExtension(m: unknown): m is FromExtension {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  return o.type === 'version' && typeof o.version === 'string';
}

const vscode = acquireVsCodeApi();

function render(root: HTMLElement): HTMLElement {
  const h = document.createElement('h1');
  h.textContent = 'MM Patch Explorer';
  const status = document.createElement('p');
  status.id = 'status';
  status.textContent = 'Waiting for the extension…';
  root.replaceChildren(h, status);
  return status;
}

const root = document.getElementById('root') ?? document.body;
const status = render(root);

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  if (!isFromExtension(e.data)) return;
  // textContent, never innerHTML: the version comes from outside this page
  status.textContent = `Engine ${e.data.version}`;
  status.dataset.version = e.data.version;
});

vscode.postMessage({ type: 'ready' });
