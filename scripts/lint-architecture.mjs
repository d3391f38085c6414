// Architecture lint: the libraries (src/engine, src/patch, src/scenario) and the CLI (src/cli) run
// in Node and in tests without VS Code or a browser, so they must not import `vscode`, reach into
// src/extension or src/webview, or touch DOM globals. Prints file:line:col for each violation and
// exits 1 when there is any.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHECKED = ['src/engine', 'src/patch', 'src/scenario', 'src/cli'];
const FORBIDDEN_DIRS = ['src/extension', 'src/webview'];
const DOM_GLOBALS = ['document', 'window', 'navigator', 'localStorage', 'sessionStorage', 'customElements', 'acquireVsCodeApi'];
const DOM_TYPES = ['HTMLElement', 'HTMLDivElement', 'DOMParser', 'MutationObserver', 'requestAnimationFrame'];

/** Replaces comments and string/template contents with spaces, keeping offsets (so positions stay right). */
export function blankCommentsAndStrings(src) {
  const out = src.split('');
  let i = 0;
  const blank = (from, to) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  while (i < src.length) {
    const c = src[i];
    const n = src[i + 1];
    if (c === '/' && n === '/') {
      const end = src.indexOf('\n', i);
      const stop = end < 0 ? src.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && n === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === '\\' ? 2 : 1;
      blank(i + 1, Math.min(j, src.length));
      i = j + 1;
    } else {
      i++;
    }
  }
  return out.join('');
}

function position(src, offset) {
  const before = src.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - before.lastIndexOf('\n');
  return { line, col };
}

/**
 * Violations in one file. `file` is its path relative to the repository (used to resolve relative
 * imports); `src` its text. Returns [{ file, line, col, message }].
 */
export function checkSource(file, src) {
  const found = [];
  const push = (offset, message) => found.push({ file, ...position(src, offset), message });
  // module specifiers: import/export ... from 'x', import('x'), require('x')
  const spec = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)(['"])([^'"\n]+)\1/g;
  for (const m of src.matchAll(spec)) {
    const name = m[2];
    const at = m.index + m[0].indexOf(m[1]);
    if (name === 'vscode' || name.startsWith('vscode/')) {
      push(at, `imports '${name}': ${CHECKED.join(', ')} must run without VS Code`);
    } else if (name.startsWith('.')) {
      const target = relative('.', resolve(dirname(file), name)).split(sep).join('/');
      const bad = FORBIDDEN_DIRS.find((d) => target === d || target.startsWith(d + '/'));
      if (bad) push(at, `imports '${name}' from ${bad}: the libraries must not depend on the extension or the webview`);
    }
  }
  const code = blankCommentsAndStrings(src);
  const globals = new RegExp(`(?<![\\w$.])(${DOM_GLOBALS.join('|')})\\s*(?:\\.|\\[|\\()`, 'g');
  for (const m of code.matchAll(globals)) push(m.index, `uses the DOM global '${m[1]}'`);
  const types = new RegExp(`(?<![\\w$.])(${DOM_TYPES.join('|')})\\b`, 'g');
  for (const m of code.matchAll(types)) push(m.index, `uses the DOM API '${m[1]}'`);
  return found;
}

function sourceFiles(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const files = [];
  for (const name of entries) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files.push(...sourceFiles(p));
    else if (/\.(ts|mts|cts|js|mjs|cjs)$/.test(name) && !name.endsWith('.d.ts')) files.push(p);
  }
  return files;
}

export function lintRepository(root) {
  const violations = [];
  let count = 0;
  for (const dir of CHECKED) {
    for (const abs of sourceFiles(join(root, dir))) {
      count++;
      const file = relative(root, abs).split(sep).join('/');
      violations.push(...checkSource(file, readFileSync(abs, 'utf8')));
    }
  }
  return { files: count, violations };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  process.chdir(root);
  const { files, violations } = lintRepository(root);
  for (const v of violations) console.error(`${v.file}:${v.line}:${v.col}: ${v.message}`);
  if (violations.length > 0) {
    console.error(`[lint] ${violations.length} architecture violation(s) in ${files} file(s)`);
    process.exit(1);
  }
  console.log(`[lint] ${files} file(s) in ${CHECKED.join(', ')}: no vscode, extension, webview or DOM use`);
}
