// The C parser: tree-sitter's C grammar (web-tree-sitter + tree-sitter-c.wasm), error tolerant, so a
// hunk side that starts in the middle of a function still yields its calls, returns and declarations.
// The wasm files are looked for in a directory the caller may set, else next to the running bundle
// (dist/, where the build copies them), else in node_modules.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { Language, Parser, type Tree } from 'web-tree-sitter';

export interface CParserOptions {
  /** directory holding tree-sitter.wasm and tree-sitter-c.wasm */
  wasmDir?: string;
  /** time one fragment may take to parse (default PARSE_LIMIT_MS) */
  parseLimitMs?: number;
}

export interface CParser {
  /** Parse a text; with `old` (an edited earlier tree) tree-sitter reuses what did not change. */
  parse(text: string, old?: Tree): Tree;
}

/** Time one fragment may take to parse. */
export const PARSE_LIMIT_MS = 2000;

let initialised: Promise<void> | undefined;
const languages = new Map<string, Promise<Language>>();
let shared: { key: string; parser: Promise<CParser> } | undefined;

function bundleDir(): string | undefined {
  // CommonJS bundles (dist/extension.js, dist/mmx.js) have __dirname; the ESM test runner has it too
  try {
    return typeof __dirname === 'string' ? __dirname : undefined;
  } catch {
    return undefined;
  }
}

function nodeModulesFile(spec: string): string | undefined {
  const bases = [join(process.cwd(), 'package.json')];
  const here = bundleDir();
  if (here) bases.push(join(here, 'package.json'));
  for (const base of bases) {
    try {
      return createRequire(base).resolve(spec);
    } catch {
      /* try the next base */
    }
  }
  return undefined;
}

/** Where a wasm file is: explicit directory, next to the bundle, then node_modules. */
export function locateWasm(file: 'tree-sitter.wasm' | 'tree-sitter-c.wasm', opts?: CParserOptions): string {
  const tried: string[] = [];
  const dirs = [opts?.wasmDir, bundleDir()].filter((d): d is string => !!d);
  for (const d of dirs) {
    const p = join(d, file);
    tried.push(p);
    if (existsSync(p)) return p;
  }
  const spec = file === 'tree-sitter.wasm' ? 'web-tree-sitter/tree-sitter.wasm' : 'tree-sitter-c/package.json';
  const resolved = nodeModulesFile(spec);
  if (resolved) {
    const p = file === 'tree-sitter.wasm' ? resolved : join(dirname(resolved), 'tree-sitter-c.wasm');
    tried.push(p);
    if (existsSync(p)) return p;
  }
  throw new Error(`cannot find ${file}; looked in: ${tried.join(', ') || '(nowhere)'}`);
}

/** A C parser, created once per wasm location and shared. */
export function loadCParser(opts?: CParserOptions): Promise<CParser> {
  const limit = opts?.parseLimitMs ?? PARSE_LIMIT_MS;
  const key = `${opts?.wasmDir ?? ''}\u0000${limit}`;
  if (shared && shared.key === key) return shared.parser;
  const parser = (async () => {
    const runtime = locateWasm('tree-sitter.wasm', opts);
    const grammar = locateWasm('tree-sitter-c.wasm', opts);
    initialised ??= Parser.init({ locateFile: () => runtime, wasmBinary: readFileSync(runtime) });
    await initialised;
    let lang = languages.get(grammar);
    if (!lang) {
      lang = Language.load(new Uint8Array(readFileSync(grammar)));
      languages.set(grammar, lang);
    }
    const language = await lang;
    const p = new Parser();
    p.setLanguage(language);
    return {
      parse(text: string, old?: Tree): Tree {
        // error recovery on garbage can go super-linear: give up on a fragment after PARSE_LIMIT_MS.
        // The clock is read on every 32nd progress call only (tree-sitter calls back every 100 operations).
        const deadline = performance.now() + limit;
        let n = 0;
        const t = p.parse(text, old ?? null, { progressCallback: () => (++n & 31) === 0 && performance.now() > deadline });
        if (!t) throw new Error(`parsing a fragment of ${text.length} characters took over ${limit} ms; given up`);
        return t;
      },
    };
  })();
  shared = { key, parser };
  parser.catch(() => {
    if (shared?.parser === parser) shared = undefined;
  });
  return parser;
}
