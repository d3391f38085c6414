// Local static server for the webview tests: serves the built webview bundle (dist/), media/ and
// test/webview/fixtures/, and at `/` a page shaped like the extension's panel: a strict nonce CSP,
// an element #root, the bundle in a nonce'd script tag, and before it a stub of acquireVsCodeApi
// that records what the page posts (window.__mmx.posted) and any CSP violation (window.__mmx.violations).
//
// Page query parameters: state=<JSON> (what getState() returns first), css=<path> (repeatable: extra
// stylesheets such as dist/webview.css), theme=light|dark (body class and a few VS Code theme variables).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { THEME_VARS } from './themes';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/** Folders the page may load from, by URL prefix. */
function roots(repo: string): Record<string, string> {
  return {
    '/dist/': path.join(repo, 'dist'),
    '/media/': path.join(repo, 'media'),
    '/fixtures/': path.join(repo, 'test', 'webview', 'fixtures'),
    '/codicons/': path.join(repo, 'node_modules', '@vscode', 'codicons', 'dist'),
  };
}

const THEMES: Record<string, { cls: string; vars: Record<string, string> }> = {
  ...THEME_VARS,
  light: {
    cls: 'vscode-light',
    vars: { '--vscode-foreground': '#3b3b3b', '--vscode-editor-background': '#ffffff', '--vscode-font-family': 'sans-serif', '--vscode-font-size': '13px', '--vscode-editor-font-family': 'monospace', '--vscode-focusBorder': '#005fb8' },
  },
  dark: {
    cls: 'vscode-dark',
    vars: { '--vscode-foreground': '#cccccc', '--vscode-editor-background': '#1f1f1f', '--vscode-font-family': 'sans-serif', '--vscode-font-size': '13px', '--vscode-editor-font-family': 'monospace', '--vscode-focusBorder': '#0078d4' },
  },
};

const escapeAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function harnessPage(url: URL): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const theme = THEMES[url.searchParams.get('theme') ?? 'light'] ?? THEMES.light;
  const state = url.searchParams.get('state');
  const css = url.searchParams.getAll('css').filter((c) => /^[\w./-]+$/.test(c) && !c.includes('..'));
  const csp = [
    "default-src 'none'",
    `style-src ${url.origin} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `img-src ${url.origin} data:`,
    `font-src ${url.origin}`,
  ].join('; ');
  const vars = Object.entries(theme.vars).map(([k, v]) => `${k}: ${v};`).join(' ');
  // the stub runs before the bundle, like VS Code's own preload
  const stub = `
(() => {
  const mmx = { posted: [], violations: [], state: ${state ? JSON.stringify(state).replace(/</g, '\\u003c') : 'undefined'} };
  if (mmx.state !== undefined) mmx.state = JSON.parse(mmx.state);
  window.__mmx = mmx;
  document.addEventListener('securitypolicyviolation', (e) => {
    mmx.violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
  });
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi called twice');
    acquired = true;
    return Object.freeze({
      postMessage: (m) => { mmx.posted.push(JSON.parse(JSON.stringify(m))); },
      getState: () => mmx.state,
      setState: (s) => { mmx.state = s; return s; },
    });
  };
})();`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<title>MM Explorer (webview test)</title>
<style nonce="${nonce}">html { ${vars} } body { background: var(--vscode-editor-background); color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }</style>
${css.map((c) => `<link rel="stylesheet" href="/${escapeAttr(c)}">`).join('\n')}
</head>
<body class="${theme.cls}">
<div id="root"></div>
<script nonce="${nonce}">${stub}</script>
<script nonce="${nonce}" src="/dist/webview.js"></script>
</body>
</html>`;
}

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

export function startServer(repo: string): Promise<StaticServer> {
  const mounts = roots(repo);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    if (url.pathname === '/' || url.pathname === '/index.html') {
      res.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-store' });
      res.end(harnessPage(url));
      return;
    }
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    const prefix = Object.keys(mounts).find((p) => url.pathname.startsWith(p));
    if (prefix) {
      const base = mounts[prefix];
      const file = path.resolve(base, '.' + decodeURIComponent(url.pathname.slice(prefix.length - 1)));
      if (file.startsWith(base + path.sep) && fs.existsSync(file) && fs.statSync(file).isFile()) {
        res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
        fs.createReadStream(file).pipe(res);
        return;
      }
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end(`not found: ${url.pathname}`);
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}
