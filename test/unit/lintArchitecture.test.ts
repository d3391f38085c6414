import { describe, expect, it } from 'vitest';
import { blankCommentsAndStrings, checkSource } from '../../scripts/lint-architecture.mjs';

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
    const v = checkSource('src/patch/parse.ts', "import { x } from '../extension/extension';\nimport { y } from '../webview/dom';\nimport { z } from '../engine/spec';");
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
});
