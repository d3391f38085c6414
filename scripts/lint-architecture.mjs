// Architecture lint. Prints file:line:col for each violation and exits 1 when there is any.
// 1. The libraries (src/engine, src/patch, src/kernelc, src/scenario) and the CLI (src/cli) run in
//    Node and in tests without VS Code or a browser: no `vscode` import, no DOM globals or types.
// 2. Imports between the src/* folders follow FOLDER_EDGES (TYPE_EDGES: allowed as type-only
//    imports; a KNOWN_EXCEPTIONS entry is tolerated until its import goes); folders other than
//    kernelc reach the engine only through its public entry, src/engine/index.ts; imports between
//    the engine's folders follow ENGINE_EDGES.
// 3. No runtime import cycle between modules (type-only imports are erased, so they do not count).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHECKED = ['src/engine', 'src/patch', 'src/kernelc', 'src/scenario', 'src/cli'];
const DOM_GLOBALS = ['document', 'window', 'navigator', 'localStorage', 'sessionStorage', 'customElements', 'acquireVsCodeApi'];
const DOM_TYPES = ['HTMLElement', 'HTMLDivElement', 'DOMParser', 'MutationObserver', 'requestAnimationFrame'];

/** src/<folder> -> the src folders it may import from (engine and patch at the bottom, the extension on top) */
export const FOLDER_EDGES = {
  engine: [],
  patch: ['engine'],
  kernelc: ['engine', 'patch'],
  scenario: ['engine', 'patch'],
  cli: ['engine', 'patch', 'kernelc', 'scenario'],
  webview: [],
  // the host validates the webview's messages with the webview's own protocol module
  extension: ['engine', 'patch', 'kernelc', 'scenario', 'webview'],
};
/** edges allowed only as type-only imports: the webview's bundle shows the data the host sends, it
 * runs none of the Node code */
export const TYPE_EDGES = {
  webview: ['engine', 'scenario'],
};
/** src folders that may import engine modules directly: the C interpreter binds kernel functions into the engine */
export const ENGINE_INSIDERS = ['kernelc'];
/** src/engine/<folder> -> the engine folders it may import from; the engine's root files (index.ts, the
 * generated table) may import every folder, no folder imports the root. The runtime (sim) builds the
 * kernel's objects, checks their invariants and runs the operations, so it sees mm, fs and drivers;
 * the kernel's MM code sees only the runtime; filesystems and drivers sit on the MM code. */
export const ENGINE_EDGES = {
  sim: ['mm', 'fs', 'drivers'],
  mm: ['sim'],
  fs: ['sim', 'mm'],
  drivers: ['sim', 'mm', 'fs'],
};
/** imports the table does not allow yet, each with the reason it is tolerated: 'from -> to' */
export const KNOWN_EXCEPTIONS = {};

/** Replaces comments (and, unless keepStrings, string/template contents) with spaces, keeping offsets. */
export function blankCommentsAndStrings(src, keepStrings = false) {
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
      if (!keepStrings) blank(i + 1, Math.min(j, src.length));
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

const toPosix = (p) => p.split(sep).join('/');

/**
 * The module specifiers of a file: [{ name, offset (of the quote), typeOnly }]. `import type`,
 * `export type` and imports whose every binding is `type X` are type-only; `import 'x'`,
 * `import('x')` and `require('x')` are runtime.
 */
export function importsOf(src) {
  const code = blankCommentsAndStrings(src, true);
  const found = [];
  const spec = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)(['"])([^'"\n]+)\1/g;
  for (const m of code.matchAll(spec)) {
    const at = m.index + m[0].indexOf(m[1]);
    let typeOnly = false;
    if (/^from/.test(m[0])) {
      const head = code.slice(0, m.index);
      const start = Math.max(head.lastIndexOf('import'), head.lastIndexOf('export'));
      const clause = head.slice(start).replace(/^(import|export)\s+/, '');
      const braces = /^\{([^}]*)\}\s*$/.exec(clause.trim());
      typeOnly = /^type\b/.test(clause) || (braces !== null && braces[1].split(',').filter((s) => s.trim()).every((s) => /^\s*type\s/.test(s)));
    }
    found.push({ name: m[2], offset: at, typeOnly });
  }
  return found;
}

/** 'engine', 'patch', ... for a src/ path; undefined outside src/ */
function folderOf(path) {
  const p = path.split('/');
  return p[0] === 'src' && p.length > 2 ? p[1] : undefined;
}
/** 'sim', 'mm', ... for a src/engine/ path; '' for the engine's root files */
function engineFolderOf(path) {
  const p = path.split('/');
  return p.length > 3 ? p[2] : '';
}

/** the edge rule an import breaks, or null */
export function edgeViolation(from, to, typeOnly) {
  const a = folderOf(from);
  const b = folderOf(to);
  if (a === undefined || b === undefined || !(a in FOLDER_EDGES)) return null;
  if (a !== b) {
    if (Object.hasOwn(KNOWN_EXCEPTIONS, `${from} -> ${to.replace(/\.(m?js|ts)$/, '')}.ts`)) return null;
    const allowed = FOLDER_EDGES[a].includes(b) || (typeOnly && (TYPE_EDGES[a] ?? []).includes(b));
    if (!allowed) {
      const list = [...FOLDER_EDGES[a], ...(TYPE_EDGES[a] ?? []).map((x) => `${x} (types only)`)];
      return `src/${a} may not depend on src/${b} (allowed: ${list.length ? list.map((x) => 'src/' + x).join(', ') : 'none'})`;
    }
    if (b === 'engine' && !ENGINE_INSIDERS.includes(a) && to.replace(/\.(m?js|ts)$/, '') !== 'src/engine/index') return `the engine is imported through its public entry src/engine/index, not ${to}`;
    return null;
  }
  if (a !== 'engine') return null;
  const x = engineFolderOf(from);
  const y = engineFolderOf(to);
  if (x === y || x === '') return null;
  if (y === '') return `src/engine/${x} may not import the engine's root (${to.split('/').pop()}): import the module itself`;
  if ((ENGINE_EDGES[x] ?? []).includes(y)) return null;
  return `src/engine/${x} may not depend on src/engine/${y} (allowed: ${(ENGINE_EDGES[x] ?? []).map((f) => 'engine/' + f).join(', ') || 'none'})`;
}

/** the repository path a relative specifier names (without checking that it exists) */
function target(file, name) {
  return toPosix(relative('.', resolve(dirname(file), name)));
}

/**
 * Violations in one file. `file` is its path relative to the repository (used to resolve relative
 * imports); `src` its text. Returns [{ file, line, col, message }].
 */
export function checkSource(file, src) {
  const found = [];
  const push = (offset, message) => found.push({ file, ...position(src, offset), message });
  const library = CHECKED.some((d) => file.startsWith(d + '/'));
  for (const imp of importsOf(src)) {
    const name = imp.name;
    if (name === 'vscode' || name.startsWith('vscode/')) {
      if (library) push(imp.offset, `imports '${name}': ${CHECKED.join(', ')} must run without VS Code`);
    } else if (name.startsWith('.')) {
      const why = edgeViolation(file, target(file, name), imp.typeOnly);
      if (why) push(imp.offset, `imports '${name}': ${why}`);
    }
  }
  if (!library) return found;
  const code = blankCommentsAndStrings(src);
  const globals = new RegExp(`(?<![\\w$.])(${DOM_GLOBALS.join('|')})\\s*(?:\\.|\\[|\\()`, 'g');
  for (const m of code.matchAll(globals)) push(m.index, `uses the DOM global '${m[1]}'`);
  const types = new RegExp(`(?<![\\w$.])(${DOM_TYPES.join('|')})\\b`, 'g');
  for (const m of code.matchAll(types)) push(m.index, `uses the DOM API '${m[1]}'`);
  return found;
}

/** the file a relative specifier resolves to among `known` (repository paths), or undefined */
function resolveIn(known, file, name) {
  const base = target(file, name);
  const stem = base.replace(/\.(m?js|ts)$/, '');
  for (const c of [base, `${stem}.ts`, `${stem}.mts`, `${stem}.mjs`, `${stem}.js`, `${base}/index.ts`]) if (known.has(c)) return c;
  return undefined;
}

/**
 * Runtime import cycles among `files` ([{ file, src }]): one violation per cycle, at the import in
 * its first file that leads on round the cycle.
 */
export function findCycles(files) {
  const known = new Map(files.map((f) => [f.file, f.src]));
  const graph = new Map();
  for (const { file, src } of files) {
    const edges = [];
    for (const imp of importsOf(src)) {
      if (imp.typeOnly || !imp.name.startsWith('.')) continue;
      const to = resolveIn(known, file, imp.name);
      if (to !== undefined) edges.push({ to, offset: imp.offset, name: imp.name });
    }
    graph.set(file, edges);
  }
  // Tarjan's strongly connected components
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const sccs = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const { to } of graph.get(v)) {
      if (!idx.has(to)) {
        visit(to);
        low.set(v, Math.min(low.get(v), low.get(to)));
      } else if (on.has(to)) low.set(v, Math.min(low.get(v), idx.get(to)));
    }
    if (low.get(v) === idx.get(v)) {
      const c = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1 || graph.get(v).some((e) => e.to === v)) sccs.push(c);
    }
  };
  for (const f of [...graph.keys()].sort()) if (!idx.has(f)) visit(f);
  const out = [];
  for (const scc of sccs) {
    const members = new Set(scc);
    const first = [...scc].sort()[0];
    // a shortest way round from `first` back to itself inside the component
    const prev = new Map([[first, null]]);
    const queue = [first];
    let closing = null;
    while (queue.length && !closing) {
      const v = queue.shift();
      for (const e of graph.get(v)) {
        if (!members.has(e.to)) continue;
        if (e.to === first) {
          closing = v;
          break;
        }
        if (!prev.has(e.to)) {
          prev.set(e.to, v);
          queue.push(e.to);
        }
      }
    }
    const path = [first];
    for (let v = closing; v !== first; v = prev.get(v)) path.splice(1, 0, v);
    path.push(first);
    const next = path[1];
    const edge = graph.get(first).find((e) => e.to === next);
    const src = known.get(first);
    out.push({ file: first, ...position(src, edge.offset), message: `runtime import cycle: ${path.join(' -> ')} (make one side a type-only import or move the shared code)` });
  }
  return out;
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
  const files = sourceFiles(join(root, 'src')).map((abs) => ({ file: toPosix(relative(root, abs)), src: readFileSync(abs, 'utf8') }));
  const violations = [];
  for (const { file, src } of files) violations.push(...checkSource(file, src));
  violations.push(...findCycles(files));
  // an exception whose import is gone is stale
  for (const key of Object.keys(KNOWN_EXCEPTIONS)) {
    const [from, to] = key.split(' -> ');
    const f = files.find((x) => x.file === from);
    const still = f && importsOf(f.src).some((i) => i.name.startsWith('.') && resolveIn(new Set(files.map((x) => x.file)), from, i.name) === to);
    if (!still && existsSync(join(root, 'src'))) violations.push({ file: 'scripts/lint-architecture.mjs', line: 1, col: 1, message: `KNOWN_EXCEPTIONS lists '${key}', which no longer exists: remove it` });
  }
  return { files: files.length, violations };
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
  console.log(`[lint] ${files} file(s) in src/: no vscode or DOM use in ${CHECKED.join(', ')}, imports follow the layer tables, no runtime import cycle`);
}
