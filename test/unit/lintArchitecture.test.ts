import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { blankCommentsAndStrings, checkSource, findCycles, importsOf, lintRepository } from '../../scripts/lint-architecture.mjs';

describe('architecture lint', () => {
  it('flags every way of importing vscode, with the position', () => {
    const src = [
      "import * as vscode from 'vscode';",
      'const v = require("vscode");',
      "export { window } from 'vscode';",
      "const lazy = () => import('vscode');",
      "import 'vscode';",
    ].join('\n');
    const v = checkSource('src/engine/x.ts', src);
    expect(v.map((x) => [x.line, x.col])).toEqual([
      [1, 25],
      [2, 19],
      [3, 24],
      [4, 27],
      [5, 8],
    ]);
    expect(v[0].message).toContain("imports 'vscode'");
  });

  it('flags relative imports that reach into the extension or the webview', () => {
    const v = checkSource('src/patch/parse.ts', "import { x } from '../extension/extension';\nimport { y } from '../webview/dom';\nimport { z } from '../engine/index';");
    expect(v).toHaveLength(2);
    expect(v[0].message).toContain('src/extension');
    expect(v[1].message).toContain('src/webview');
  });

  it('flags DOM globals and types in code but not in comments, strings or property names', () => {
    const src = [
      '// the document. in a comment is fine',
      "const s = 'window.open is only text';",
      'const el = document.createElement("div");',
      'const w = window.innerWidth;',
      'function f(e: HTMLElement) { return e; }',
      'const doc = parsed.document.title; const window2 = 1;',
    ].join('\n');
    const v = checkSource('src/scenario/x.ts', src);
    expect(v.map((x) => `${x.line}:${x.col} ${x.message}`)).toEqual([
      "3:12 uses the DOM global 'document'",
      "4:11 uses the DOM global 'window'",
      "5:15 uses the DOM API 'HTMLElement'",
    ]);
  });

  it('accepts a library file that uses none of them', () => {
    const src = "import { Vma } from './vma';\nexport function handleMmFault(vma: Vma) { return vma.start; }\n";
    expect(checkSource('src/engine/fault.ts', src)).toEqual([]);
  });

  it('keeps offsets when blanking comments and strings', () => {
    const src = "a /* b */ 'c\\'d' `e` // f\ng";
    const out = blankCommentsAndStrings(src);
    expect(out).toHaveLength(src.length);
    expect(out.indexOf('g')).toBe(src.indexOf('g'));
    expect(out).not.toMatch(/[bcdef]/);
  });

  it('flags an import against the folder table, and accepts the allowed direction', () => {
    const up = checkSource('src/engine/sim/machine.ts', "import { runScenario } from '../../scenario/runner';");
    expect(up).toHaveLength(1);
    expect(up[0]).toMatchObject({ line: 1, col: 29 });
    expect(up[0].message).toContain('src/engine may not depend on src/scenario');
    expect(checkSource('src/scenario/runner.ts', "import { createMachine } from '../engine/index';")).toEqual([]);
    const deep = checkSource('src/scenario/runner.ts', "import type { Machine } from '../engine/sim/spec';");
    expect(deep.map((v) => v.message)).toEqual(["imports '../engine/sim/spec': the engine is imported through its public entry src/engine/index, not src/engine/sim/spec"]);
    // the C interpreter binds kernel functions into the engine
    expect(checkSource('src/kernelc/bind.ts', "import { doNoPage } from '../engine/mm/doNoPage';")).toEqual([]);
    expect(checkSource('src/cli/main.ts', "import { x } from '../extension/extension';")[0].message).toContain('src/cli may not depend on src/extension');
    expect(checkSource('src/kernelc/bind.ts', "import { a } from '../engine/index';\nimport { b } from '../patch/analyze';\nimport { c } from '../scenario/runner';").map((v) => v.line)).toEqual([3]);
  });

  it('allows the webview only type-only imports of the data it shows', () => {
    expect(checkSource('src/webview/view.ts', "import type { TraceEvent } from '../engine/index';\nimport { type Comparison } from '../scenario/comparisonModel';")).toEqual([]);
    const v = checkSource('src/webview/view.ts', "import { createMachine } from '../engine/index';");
    expect(v).toHaveLength(1);
    expect(v[0].message).toContain('src/webview may not depend on src/engine');
  });

  it('flags an import against the engine folder table', () => {
    const v = checkSource('src/engine/mm/doNoPage.ts', "import { dfsVmOps } from '../fs/dfsFs';\nimport type { Task } from '../sim/task';\nimport { x } from '../index';");
    expect(v.map((x) => x.line)).toEqual([1, 3]);
    expect(v[0].message).toContain('src/engine/mm may not depend on src/engine/fs');
    expect(v[1].message).toContain("may not import the engine's root");
    expect(checkSource('src/engine/drivers/dmaWrite.ts', "import { hugetlb } from '../mm/hugetlb';\nimport { Dfs } from '../fs/dfs';")).toEqual([]);
    expect(checkSource('src/engine/index.ts', "export { x } from './sim/machine';")).toEqual([]);
  });

  it('tells type-only imports from runtime ones', () => {
    const src = [
      "import type { A } from './a';",
      "import { type B, type C } from './b';",
      "import { D, type E } from './c';",
      "export type { F } from './d';",
      "export * from './e';",
      "import './f';",
      'import {',
      '  type G,',
      '  type H,',
      "} from './g';",
    ].join('\n');
    expect(importsOf(src).map((i) => `${i.name} ${i.typeOnly ? 'type' : 'runtime'}`)).toEqual([
      './a type', './b type', './c runtime', './d type', './e runtime', './f runtime', './g type',
    ]);
  });

  it('flags a runtime import cycle, not a type-only one', () => {
    const cycle = findCycles([
      { file: 'src/engine/mm/handleMmFault.ts', src: "import { doFilePage } from './doFilePage';\nexport const a = 1;" },
      { file: 'src/engine/mm/doFilePage.ts', src: "import { accessExceeds } from './handleMmFault';" },
      { file: 'src/engine/mm/vma.ts', src: "import type { MmStruct } from './mmStruct';" },
      { file: 'src/engine/mm/mmStruct.ts', src: "import { Vma } from './vma';" },
    ]);
    expect(cycle).toHaveLength(1);
    expect(cycle[0]).toMatchObject({ file: 'src/engine/mm/doFilePage.ts', line: 1, col: 31 });
    expect(cycle[0].message).toBe('runtime import cycle: src/engine/mm/doFilePage.ts -> src/engine/mm/handleMmFault.ts -> src/engine/mm/doFilePage.ts (make one side a type-only import or move the shared code)');
    const longer = findCycles([
      { file: 'src/a.ts', src: "import './b';" },
      { file: 'src/b.ts', src: "import { c } from './c.js';" },
      { file: 'src/c.ts', src: "export * from './a';" },
    ]);
    expect(longer.map((v) => v.message)).toEqual(['runtime import cycle: src/a.ts -> src/b.ts -> src/c.ts -> src/a.ts (make one side a type-only import or move the shared code)']);
  });

  it('passes on this repository', () => {
    const r = lintRepository(join(__dirname, '../..'));
    expect(r.files).toBeGreaterThan(100);
    expect(r.violations).toEqual([]);
  });
});
