// The solo build of the engine's kernel functions (see src/engine/solo.ts for why): a build-time
// transform that appends, to each engine module, a plain-function twin `f$solo` of every kernel
// function `f` and hangs it on `f` as `f.$solo`. The original text is left as it is (twins, their
// imports and the pairing calls go after it; the only in-place edit wraps module-level arrow
// wrappers such as `(t, op) => mmapOp(t, op)`), so line numbers and stack traces stay true.
//
// A kernel function is a top-level function declaration whose return type is written
// `Generator<Step, ...>`: a `function*`, or a plain function that returns another kernel function's
// generator. In a twin:
//   yield* f(a)        -> f$solo(a)              f a kernel function of this module or imported
//   yield* v(a)        -> $soloCall(v, a)        v any other callee: its twin if it has one
//   yield* o.m(a)      -> $soloMethod(o, 'm', a) vm_operations, walkers
//   yield* <other>     -> $soloRun(<other>)      drive the generator (it must not yield)
//   yield t.step       -> $soloBlocked()         throws SOLO_BLOCKED
//   return f(a)        -> return f$solo(a)       (plain kernel functions; same rules as yield*)
// Nested functions are copied unchanged.
//
// Used by esbuild.config.mjs and scripts/run-ts.mjs (esbuild plugin) and vitest.config.ts (vite
// plugin); `node scripts/solo-twins.mjs <file.ts>` prints a module as transformed.
import ts from 'typescript';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ENGINE_DIR = join(root, 'src', 'engine');
const HELPERS = join(ENGINE_DIR, 'solo.ts');
/** the modules the plugins hand to the transform (see applies()) */
export const ENGINE_FILE = /[\\/]src[\\/]engine[\\/][^\\/]+\.ts$/;

const KERNEL_RETURN = /^Generator\s*<\s*Step\b/;

/** a top-level kernel function declaration (see above) */
function isKernelFunction(stmt, sf) {
  return ts.isFunctionDeclaration(stmt) && stmt.name !== undefined && stmt.body !== undefined && stmt.type !== undefined && KERNEL_RETURN.test(stmt.type.getText(sf));
}

function isExported(stmt) {
  return (ts.getCombinedModifierFlags(stmt) & ts.ModifierFlags.Export) !== 0;
}

function parse(file, source) {
  return ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

const exportCache = new Map();

/** names of the kernel functions a module exports (each has an exported twin), cached by mtime */
export function twinExports(file) {
  if (!existsSync(file)) return new Set();
  const mtime = statSync(file).mtimeMs;
  const hit = exportCache.get(file);
  if (hit && hit.mtime === mtime) return hit.names;
  const sf = parse(file, readFileSync(file, 'utf8'));
  const names = new Set();
  for (const s of sf.statements) if (isKernelFunction(s, sf) && isExported(s)) names.add(s.name.text);
  exportCache.set(file, { mtime, names });
  return names;
}

/** the .ts file a relative import names, or null */
function resolveModule(fromFile, spec) {
  if (!spec.startsWith('.')) return null;
  const base = join(dirname(fromFile), spec);
  for (const f of [base + '.ts', join(base, 'index.ts')]) if (existsSync(f)) return f;
  return null;
}

function moduleSpec(fromFile, toFile) {
  let s = relative(dirname(fromFile), toFile).split(sep).join('/').replace(/\.ts$/, '');
  if (!s.startsWith('.')) s = './' + s;
  return s;
}

function isFunctionLike(n) {
  return ts.isFunctionLike(n) || ts.isClassLike(n);
}

/** every name declared anywhere inside a function (parameters included): a callee with one of
 * these names is not the module-level function of that name */
function declaredNames(fn) {
  const names = new Set();
  const addBinding = (b) => {
    if (ts.isIdentifier(b)) names.add(b.text);
    else for (const e of b.elements) if (!ts.isOmittedExpression(e)) addBinding(e.name);
  };
  const visit = (n) => {
    if ((ts.isVariableDeclaration(n) || ts.isParameter(n) || ts.isBindingElement(n)) && n.name) addBinding(n.name);
    else if ((ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n)) && n.name && n !== fn) names.add(n.name.text);
    else if (ts.isCatchClause(n) && n.variableDeclaration) addBinding(n.variableDeclaration.name);
    n.forEachChild(visit);
  };
  fn.forEachChild(visit);
  return names;
}

function strip(e) {
  while (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
  return e;
}

function where(sf, node) {
  const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  return `${sf.fileName}:${line + 1}:${character + 1}`;
}

/**
 * Transforms one engine module. `exportsOf(file)` names the kernel functions another module
 * exports (default: read from disk). Returns { code, twins, deps }: twins names the functions given
 * one (code is the source itself when there are none), deps the modules whose exports were read.
 */
export function soloTransform(source, file, exportsOf = twinExports) {
  const sf = parse(file, source);
  const kernel = sf.statements.filter((s) => isKernelFunction(s, sf));
  const local = new Set(kernel.map((f) => f.name.text));

  // imported names whose module exports a twin: local name -> { spec, imported }
  const imported = new Map();
  // the modules consulted: a change to one can change this module's twins (watch modes)
  const deps = [];
  for (const s of sf.statements) {
    if (!ts.isImportDeclaration(s) || !s.importClause || s.importClause.isTypeOnly) continue;
    const bindings = s.importClause.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    const spec = s.moduleSpecifier.text;
    const target = resolveModule(file, spec);
    if (!target) continue;
    deps.push(target);
    const exported = exportsOf(target);
    for (const el of bindings.elements) {
      if (el.isTypeOnly) continue;
      const name = (el.propertyName ?? el.name).text;
      if (exported.has(name)) imported.set(el.name.text, { spec, imported: name });
    }
  }

  const helpers = new Set(['$soloPair']);
  const twinImports = new Map(); // spec -> Set of import specifiers
  /** the twin of a statically known kernel function named `name`, or undefined */
  function staticTwin(name) {
    if (local.has(name)) return `${name}$solo`;
    const imp = imported.get(name);
    if (!imp) return undefined;
    if (!twinImports.has(imp.spec)) twinImports.set(imp.spec, new Set());
    twinImports.get(imp.spec).add(imp.imported === name ? `${name}$solo` : `${imp.imported}$solo as ${name}$solo`);
    return `${name}$solo`;
  }

  const text = source;
  const slice = (n) => text.slice(n.getStart(sf), n.end);

  function twinOf(fn) {
    const generator = fn.asteriskToken !== undefined;
    const shadow = declaredNames(fn);

    /** the twin's expression for `yield* e` (or `return e` in a plain kernel function) */
    function delegate(e) {
      const c = strip(e);
      if (ts.isCallExpression(c) && !c.questionDotToken) {
        const args = c.arguments.map(render);
        const callee = strip(c.expression);
        if (ts.isIdentifier(callee)) {
          const twin = shadow.has(callee.text) ? undefined : staticTwin(callee.text);
          if (twin) return `${twin}(${args.join(', ')})`;
          helpers.add('$soloCall');
          return `$soloCall(${[callee.text, ...args].join(', ')})`;
        }
        if (ts.isPropertyAccessExpression(callee) && !callee.questionDotToken && ts.isIdentifier(callee.name)) {
          helpers.add('$soloMethod');
          return `$soloMethod(${[render(callee.expression), JSON.stringify(callee.name.text), ...args].join(', ')})`;
        }
      }
      helpers.add('$soloRun');
      return `$soloRun(${render(e)})`;
    }

    function replace(n) {
      if (n !== fn && isFunctionLike(n)) return slice(n);
      if (generator && ts.isYieldExpression(n)) {
        if (!n.asteriskToken) {
          helpers.add('$soloBlocked');
          return '$soloBlocked()';
        }
        return delegate(n.expression);
      }
      if (!generator && ts.isReturnStatement(n) && n.expression) return `return ${delegate(n.expression)};`;
      if (!generator && ts.isYieldExpression(n)) throw new Error(`${where(sf, n)}: yield outside a generator`);
      return undefined;
    }

    function render(n) {
      const r = replace(n);
      if (r !== undefined) return r;
      let out = '';
      let pos = n.getStart(sf);
      n.forEachChild((c) => {
        const start = c.getStart(sf);
        out += text.slice(pos, start) + render(c);
        pos = c.end;
      });
      return out + text.slice(pos, n.end);
    }

    const name = fn.name.text;
    const typeParams = fn.typeParameters ? `<${fn.typeParameters.map(slice).join(', ')}>` : '';
    const params = fn.parameters.map(slice).join(', ');
    return `${isExported(fn) ? 'export ' : ''}function ${name}$solo${typeParams}(${params}) ${render(fn.body)}\n$soloPair(${name}, ${name}$solo);`;
  }

  const twins = kernel.map(twinOf);

  // module-level arrow wrappers of a kernel function, `(t, op) => f(t, op as X)`: paired with
  // `(t, op) => f$solo(t, op as X)`
  const edits = [];
  const visitArrows = (n) => {
    if (ts.isArrowFunction(n) && ts.isCallExpression(n.body)) {
      const callee = strip(n.body.expression);
      const shadow = declaredNames(n);
      const twin = ts.isIdentifier(callee) && !shadow.has(callee.text) ? staticTwin(callee.text) : undefined;
      if (twin) {
        const params = n.parameters.map(slice).join(', ');
        const args = n.body.arguments.map(slice).join(', ');
        edits.push({ start: n.getStart(sf), end: n.end, text: `$soloPair(${slice(n)}, (${params}) => ${twin}(${args}))` });
      }
      return;
    }
    if (isFunctionLike(n)) return;
    n.forEachChild(visitArrows);
  };
  sf.forEachChild(visitArrows);

  if (twins.length === 0 && edits.length === 0) return { code: source, twins: [], deps };

  let code = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) code = code.slice(0, e.start) + e.text + code.slice(e.end);
  const lines = ['', '// ---- solo build (scripts/solo-twins.mjs) ----'];
  lines.push(`import { ${[...helpers].sort().join(', ')} } from '${moduleSpec(file, HELPERS)}';`);
  for (const [spec, names] of twinImports) lines.push(`import { ${[...names].join(', ')} } from '${spec}';`);
  lines.push(...twins);
  return { code: code + lines.join('\n') + '\n', twins: kernel.map((f) => f.name.text), deps };
}

/** this repository's engine modules, except the helpers themselves */
function applies(path) {
  return ENGINE_FILE.test(path) && path.startsWith(ENGINE_DIR + sep) && path !== HELPERS;
}

/** esbuild plugin: engine modules are loaded through the transform */
export function soloTwinsEsbuild() {
  return {
    name: 'solo-twins',
    setup(build) {
      build.onLoad({ filter: ENGINE_FILE }, (args) => {
        if (!applies(args.path)) return undefined;
        try {
          const r = soloTransform(readFileSync(args.path, 'utf8'), args.path);
          return { contents: r.code, loader: 'ts', watchFiles: r.deps };
        } catch (e) {
          return { errors: [{ text: `solo build: ${e.message}` }] };
        }
      });
    },
  };
}

/** vite plugin (vitest): the same, on the source before TypeScript is stripped */
export function soloTwinsVite() {
  return {
    name: 'solo-twins',
    enforce: 'pre',
    transform(code, id) {
      const path = id.split('?')[0];
      if (!applies(path)) return null;
      const r = soloTransform(code, path);
      for (const d of r.deps) this.addWatchFile(d);
      return r.twins.length === 0 && r.code === code ? null : { code: r.code, map: null };
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const f = process.argv[2];
  if (!f) {
    console.error('usage: node scripts/solo-twins.mjs <src/engine/file.ts>');
    process.exit(2);
  }
  process.stdout.write(soloTransform(readFileSync(f, 'utf8'), join(process.cwd(), f)).code);
}
