// scanCSource on real 2.6.11 sources against the analyses of real patches.
import { beforeAll, describe, expect, it } from 'vitest';

import type { Analysis } from '../../../src/patch/analysisModel';
import { analyzePatch } from '../../../src/patch/analyze';
import { scanCSource, splitFunctions, type ScanCache } from '../../../src/patch/sourceScanner';

import { fixture, fixtureText, SEED, sourceText } from './fixtures';

let hook: Analysis;
let walk: Analysis;
let pup: Analysis;
beforeAll(async () => {
  hook = await analyzePatch(fixture(SEED.s004), SEED.s004);
  walk = await analyzePatch(fixture('corpus/2002-12-05_oeser_page-walk-api-2.5.50-mm1_sg-st-callers_mime-attach.eml'), 'walk');
  pup = await analyzePatch(fixture('corpus/2019-03-08_hubbard_v4-put_user_page-placeholder_git-send-email.eml'), 'pup');
});

/** Apply a finding's edit to the text. */
function apply(text: string, e: NonNullable<ReturnType<typeof scanCSource>[number]['edit']>): string {
  const lines = text.split('\n');
  const startOff = lines.slice(0, e.line - 1).reduce((n, l) => n + l.length + 1, 0) + e.column;
  const endOff = lines.slice(0, e.endLine - 1).reduce((n, l) => n + l.length + 1, 0) + e.endColumn;
  return text.slice(0, startOff) + e.newText + text.slice(endOff);
}

describe('scanCSource', () => {
  it("converts an implementation in the patch's old form whole: header, returns, and the lock the new contract makes it drop", () => {
    const text = fixtureText('sources/ncpfs-mmap-2.5.70-form.c');
    const f = scanCSource(text, 'fs/ncpfs/mmap.c', hook);
    const impl = f.find((x) => x.kind === 'hook-implementation')!;
    expect(impl).toMatchObject({ function: 'ncp_file_mmap_nopage', api: 'vm_operations_struct.nopage', line: 28, column: 0, endLine: 29 });
    expect(impl.thirdForm).toBeUndefined();
    const fixed = apply(text, impl.edit!);
    expect(fixed).toContain(
      'static int ncp_file_mmap_nopage(struct mm_struct *mm, struct vm_area_struct *area, unsigned long address, int write_access, pte_t *page_table, pmd_t *pmd)\n{',
    );
    // as the patch's own -mm3 implementations do: unmap the pte and drop page_table_lock first
    expect(fixed).toMatch(/\tint pos;\n\n\tpte_unmap\(page_table\);\n\tspin_unlock\(&mm->page_table_lock\);\n/);
    expect(fixed).toContain('if (!page)\n\t\treturn VM_FAULT_SIGBUS;');
    expect(fixed).toContain('return install_new_page(mm, area, address, write_access, pmd, page);\n}');
    const rets = f.filter((x) => x.kind === 'hook-return');
    expect(rets.map((r) => r.line)).toEqual([44, 95]);
    // the returns are explained one by one, and converted only with the whole function
    expect(rets.every((r) => !r.edit)).toBe(true);
  });

  it('a third form of ->nopage (2.6.11, int *type) is reported as such, with no quick fix', () => {
    for (const src of ['sources/ncpfs-mmap.c', 'sources/video-buf.c']) {
      const f = scanCSource(fixtureText(src), src, hook);
      const impl = f.filter((x) => x.kind === 'hook-implementation');
      expect(impl.length, src).toBe(1);
      expect(impl[0].thirdForm).toBe(true);
      expect(impl[0].message).toMatch(
        /third form, struct page \*\(\*nopage\)\(struct vm_area_struct \*\w+, unsigned long \w+, int \*type\).*the patch does not apply to this tree/,
      );
      expect(
        f.filter((x) => x.edit),
        src,
      ).toEqual([]);
      expect(
        f.filter((x) => x.kind === 'hook-return'),
        src,
      ).toEqual([]);
    }
  });

  it('finds get_user_pages() calls that pass vmas, with the call rewritten', () => {
    const text = fixtureText('sources/futex.c');
    const f = scanCSource(text, 'kernel/futex.c', walk);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ kind: 'gup-vmas', function: 'get_futex_key', api: 'get_user_pages' });
    expect(f[0].edit!.newText).toBe('get_user_pages(current, mm, uaddr, 1, 0, &page)');
    expect(apply(text, f[0].edit!)).toContain('err = get_user_pages(current, mm, uaddr, 1, 0, &page);');
  });

  it('finds put_page() on pages that came from get_user_pages(), also in a helper that releases them', () => {
    const nfs = scanCSource(fixtureText('sources/nfs-direct.c'), 'fs/nfs/direct.c', pup);
    expect(nfs.map((x) => [x.kind, x.function])).toEqual([['gup-put-page', 'nfs_free_user_pages']]);
    expect(nfs[0].edit!.newText).toMatch(/^put_user_page/);
    const vb = scanCSource(fixtureText('sources/video-buf.c'), 'video-buf.c', pup);
    expect(vb.length).toBeGreaterThan(0);
    expect(vb.every((x) => x.kind === 'gup-put-page')).toBe(true);
    // a modern caller already uses unpin_user_pages*(): nothing to say
    expect(scanCSource(fixtureText('sources/umem.c'), 'umem.c', pup)).toEqual([]);
  });

  it("finds nothing for an analysis that changes none of the file's APIs", () => {
    expect(scanCSource(fixtureText('sources/futex.c'), 'futex.c', hook)).toEqual([]);
  });

  it('splits a file into its functions', () => {
    const { fns, nopageAssigned } = splitFunctions(fixtureText('sources/ncpfs-mmap.c'));
    expect(fns.map((f) => f.name)).toEqual(['ncp_file_mmap_nopage', 'ncp_mmap']);
    expect(nopageAssigned.get('ncp_file_mmap_nopage')).toBe('nopage');
  });

  it('re-scans only changed functions when given a cache, with the same results', () => {
    const text = sourceText('memory.c') + sourceText('video-buf.c');
    const cache: ScanCache = { fns: new Map() };
    const first = scanCSource(text, 'm.c', hook, cache);
    const edited = text.replace('return NOPAGE_OOM;', 'return NOPAGE_OOM; ');
    const second = scanCSource(edited, 'm.c', hook, cache);
    expect(second).toEqual(first);
    expect(cache.fns.size).toBeGreaterThan(50);
  });

  it('annotates a 10,000-line file in under 50 ms', () => {
    let text = '';
    const parts = ['memory.c', 'video-buf.c', 'nfs-direct.c', 'futex.c', 'ncpfs-mmap.c'].map(sourceText);
    while (text.split('\n').length < 10_000) text += parts.join('\n');
    const lines = text.split('\n').length;
    expect(lines).toBeGreaterThanOrEqual(10_000);
    let best = Infinity;
    let count = 0;
    for (let k = 0; k < 5; k++) {
      const t0 = performance.now();
      count = scanCSource(text, 'big.c', hook).length + scanCSource(text, 'big.c', pup).length;
      best = Math.min(best, performance.now() - t0);
    }
    expect(count).toBeGreaterThan(0);
    // two analyses scanned, each must fit the budget
    expect(best / 2).toBeLessThan(50);
  });
});
