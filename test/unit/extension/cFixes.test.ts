// Every quick fix the C annotations would offer, applied to fixture files and re-analysed: no new
// syntax error, no removed parameter still used, no old-style return left, the lock the new ->nopage
// contract hands over dropped, and the findings the fix does not resolve still there.
import { readdirSync, readFileSync } from 'node:fs';

import { beforeAll, describe, expect, it } from 'vitest';

import { applyEdits, checkConverted, functionAt, planFixes, targetContract } from '../../../src/extension/cFixes';
import { syntaxErrorCounter } from '../../../src/extension/cSyntax';
import type { Analysis } from '../../../src/patch/analysisModel';
import { analyzePatch, loadCParser, scanCSource } from '../../../src/patch/index';

const dir = new URL('../../fixtures/c/', import.meta.url);
/** the C fixtures: 2.6.11 drivers with the third ->nopage form, the 2.5.70 demo driver, a gup user */
const FILES: Record<string, URL> = {
  ...Object.fromEntries(
    readdirSync(dir)
      .filter((x) => x.endsWith('.c'))
      .map((f) => [f, new URL(f, dir)]),
  ),
  'demo_nopage.c': new URL('../../../samples/demo_nopage.c', import.meta.url),
  'video-buf.c': new URL('../../fixtures/patch/sources/video-buf.c', import.meta.url),
};
const read = (f: string) => readFileSync(FILES[f], 'utf8');
let analysis: Analysis;
let errors: (text: string) => number;
const scan = (text: string, file = 'x.c') => scanCSource(text, file, analysis, { fns: new Map() });
const plan = (text: string) => planFixes(text, scan(text), { analysis, rescan: (t) => scan(t), syntaxErrors: errors });

beforeAll(async () => {
  analysis = await analyzePatch(readFileSync(new URL('../../../samples/install_new_page-thread.txt', import.meta.url), 'utf8'), 'seed004');
  errors = syntaxErrorCounter(await loadCParser());
});

describe('C quick fixes convert the whole function or are not offered', () => {
  it('every offered fix on every fixture file parses, resolves its findings and leaves the others shown', () => {
    let offered = 0;
    for (const f of Object.keys(FILES)) {
      const text = read(f);
      const before = scan(text, f);
      const { plans } = plan(text);
      for (const p of plans) {
        offered++;
        const result = applyEdits(text, p.edits);
        expect(errors(result), `${f}: ${p.title}`).toBeLessThanOrEqual(errors(text));
        const after = scan(result, f);
        // the fixed findings are gone, every other finding is still reported
        expect(
          after.filter((x) => x.function === p.function && p.findings.some((g) => g.kind === x.kind)),
          `${f}: ${p.title}`,
        ).toEqual([]);
        const key = (x: { function: string; kind: string; message: string }) => `${x.function}:${x.kind}:${x.message}`;
        const fixed = new Set(p.findings.map(key));
        const others = before.filter((x) => !fixed.has(key(x))).map(key);
        expect(after.map(key).sort(), `${f}: ${p.title}`).toEqual(others.sort());
        if (p.findings.some((x) => x.kind === 'hook-implementation')) {
          const head = p.findings.find((x) => x.kind === 'hook-implementation')!;
          const start =
            text
              .split('\n')
              .slice(0, head.line - 1)
              .join('\n').length +
            (head.line > 1 ? 1 : 0) +
            head.column;
          const b = functionAt(text, start)!;
          const a = functionAt(result, start)!;
          expect(checkConverted(result, b, a, targetContract(analysis, head.api))).toEqual([]);
        }
      }
    }
    expect(offered).toBeGreaterThan(0);
  });

  it('the 2.5.70 driver is converted whole: signature, both returns, and page_table_lock dropped before any return', () => {
    const text = read('demo_nopage.c');
    const { plans, refused } = plan(text);
    const p = plans.find((x) => x.function === 'demo_vm_nopage');
    expect(refused.filter((r) => r.function === 'demo_vm_nopage')).toEqual([]);
    expect(p?.title).toMatch(/Convert demo_vm_nopage to the patched ->nopage \(signature, 2 returns, drop page_table_lock\)/);
    const result = applyEdits(text, p!.edits);
    const body = result.slice(result.indexOf('static int demo_vm_nopage'), result.indexOf('static struct vm_operations_struct'));
    expect(body).toMatch(/pte_t \*page_table, pmd_t \*pmd\)/);
    expect(body).toContain('return VM_FAULT_SIGBUS;');
    expect(body).toContain('return install_new_page(mm, vma, address, write_access, pmd, page);');
    const unlock = body.indexOf('spin_unlock(&mm->page_table_lock);');
    expect(unlock).toBeGreaterThan(body.indexOf('struct page *page;'));
    expect(unlock).toBeLessThan(body.indexOf('return'));
    expect(body.indexOf('pte_unmap(page_table);')).toBeLessThan(unlock);
  });

  it('a 2.6.11 ->nopage of the third form (int *type) gets no fix, and the reason is given', () => {
    const text = read('ieee1394-dma.c');
    const found = scan(text);
    expect(found.some((f) => f.function === 'dma_region_pagefault' && f.kind === 'hook-implementation')).toBe(true);
    const { plans, refused } = plan(text);
    expect(plans.filter((x) => x.function === 'dma_region_pagefault')).toEqual([]);
    expect(refused.find((r) => r.function === 'dma_region_pagefault')?.reason).toMatch(/third form/);
  });

  it('a header-only conversion of the third form is refused: *type is still used and ret is a page in an int function', () => {
    const text = read('ieee1394-dma.c');
    const impl = scan(text).find((f) => f.function === 'dma_region_pagefault' && f.kind === 'hook-implementation')!;
    // what a signature-only fix would do (the analyser once offered it)
    const header = {
      line: impl.line,
      column: impl.column,
      endLine: impl.line + 1,
      endColumn: text.split('\n')[impl.line].length,
      newText:
        'static int dma_region_pagefault(struct mm_struct *mm, struct vm_area_struct *area, unsigned long address, int write_access, pte_t *page_table, pmd_t *pmd)',
    };
    const { plans, refused } = planFixes(text, [{ ...impl, edit: header }], { analysis, rescan: (t) => scan(t), syntaxErrors: errors });
    expect(plans).toEqual([]);
    expect(refused[0].reason).toMatch(/parameter 'type' is removed but still used: `if \(type\)`/);
    expect(refused[0].reason).toMatch(/'return ret' returns a pointer from a function that now returns int/);
  });

  it('a fix whose result would not parse is refused', () => {
    const text = read('demo_nopage.c');
    const found = scan(text).map((f) =>
      f.kind === 'hook-implementation' && f.edit ? { ...f, edit: { ...f.edit, newText: f.edit.newText + ' +' } } : f,
    );
    const { plans, refused } = planFixes(text, found, { analysis, rescan: (t) => scan(t), syntaxErrors: errors });
    expect(plans.filter((p) => p.function === 'demo_vm_nopage')).toEqual([]);
    expect(refused.find((r) => r.function === 'demo_vm_nopage')?.reason).toMatch(/would not parse/);
  });
});

describe('2.6.11 drivers', () => {
  it.each(['usX2Yhwdep.c', 'video-buf.c'])('%s: a ->nopage with int *type gets no fix', (f) => {
    const text = read(f);
    const { plans, refused } = plan(text);
    const impls = scan(text)
      .filter((x) => x.kind === 'hook-implementation')
      .map((x) => x.function);
    expect(impls.length).toBeGreaterThan(0);
    for (const fn of impls) {
      expect(plans.filter((p) => p.function === fn)).toEqual([]);
      expect(refused.find((r) => r.function === fn)?.reason).toMatch(/third form/);
    }
  });
});
