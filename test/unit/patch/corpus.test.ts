// Real patches as list archives store them: MIME attachments, quoted-printable, quilt, diff -puN,
// git-send-email. Each is read whole and its API delta checked against what the patch does.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Analysis } from '../../../src/patch/analysisModel';
import { analyzePatch } from '../../../src/patch/analyze';
import { fixture } from './fixtures';

const C = {
  walk: 'corpus/2002-12-05_oeser_page-walk-api-2.5.50-mm1_sg-st-callers_mime-attach.eml',
  linux22: 'corpus/2003-05-29_mckenney_remove-LINUX_2_2_install_new_page-callers_diff-urN.eml',
  trunc: 'corpus/2003-06-27_mccracken_truncate-fix-no-race_mime-attach.eml',
  rfp: 'corpus/2005-08-12_giarrusso_rfp-19-39_fault-sigsegv_diff-puN.eml',
  nopage: 'corpus/2007-12-05_piggin_17-18_mm-remove-nopage_quilt.eml',
  pup: 'corpus/2019-03-08_hubbard_v4-put_user_page-placeholder_git-send-email.eml',
  vfio: 'corpus/2019-08-04_hubbard_v2-17-34_vfio-convert-put_user_page_3arg.eml',
  unpin: 'corpus/2019-11-25_hubbard_v2-19-19_rename-put_user_page-to-unpin_user_page_quoted-printable.eml',
};
const R = new Map<string, Analysis>();
beforeAll(async () => {
  for (const f of Object.values(C)) R.set(f, await analyzePatch(fixture(f), f));
});

const names = (a: Analysis, kind: string) => a.apiChanges.filter((c) => c.kind === kind).map((c) => c.name).sort();

describe('corpus', () => {
  it('reads every hunk of every patch without a problem', () => {
    for (const [f, a] of R) {
      expect(a.coverage.hunksSeen, f).toBeGreaterThan(0);
      expect(a.coverage.hunksRecovered, f).toBe(a.coverage.hunksSeen);
      expect(a.problems.filter((p) => p.severity !== 'info'), f).toEqual([]);
    }
  });

  it('MIME attachment (page-walk API update): signature changes, cleaning functions, walk option 4', () => {
    const a = R.get(C.walk)!;
    expect(a.patches[0].files.map((f) => f.path)).toContain('mm/page_walk.c');
    expect(names(a, 'added-function')).toEqual(['cleanup_sgl_page_walk', 'cleanup_simple_page_walk', 'get_one_user_page']);
    const gup = a.apiChanges.find((c) => c.kind === 'signature' && c.name === 'get_user_pages')!;
    expect(gup.file).toBe('mm/nommu.c');
    expect(gup.before).toContain('int force, struct page **pages, struct vm_area_struct **vmas)');
    expect(gup.after).toMatch(/int write, struct page \*\*pages\)$/);
    expect(names(a, 'removed-export')).toEqual(['fixup_sgl_walk']);
    expect(a.variants).toEqual(['walk-opt4']);
  });

  it('diff -urN (remove LINUX_2_2): the 2.2 variants of the ->nopage handlers disappear', () => {
    const a = R.get(C.linux22)!;
    expect(a.patches[0].files).toHaveLength(13);
    expect(names(a, 'removed-function')).toEqual(['snd_info_device_fill_inode', 'snd_info_fill_inode', 'snd_remove_proc_entry']);
    expect(names(a, 'removed-macro')).toEqual(['NOPAGE_OOM', 'NOPAGE_SIGBUS']);
  });

  it('MIME attachment (truncate_count): the sequence read moves before the unlock -> truncate-seq', () => {
    const a = R.get(C.trunc)!;
    expect(a.patches[0].version).toBe('2.5.73-mm1');
    const f = a.functions.find((d) => d.function === 'do_no_page')!;
    expect(f.file).toBe('mm/memory.c');
    expect(f.locksAdded).toEqual(['seq_read(truncate_count)']);
    expect(a.variants).toEqual(['truncate-seq']);
  });

  it('diff -puN (remap_file_pages 19/39): __handle_mm_fault with an access mask, VM_NONUNIFORM', () => {
    const a = R.get(C.rfp)!;
    expect(a.patches[0]).toMatchObject({ index: 19, total: 39 });
    expect(a.patches[0].files.map((f) => f.path)).toEqual(['arch/i386/mm/fault.c', 'mm/memory.c', 'include/linux/mm.h']);
    expect(a.apiChanges.find((c) => c.name === '__handle_mm_fault')!.after).toBe(
      'int __handle_mm_fault(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address, int access_mask)');
    const dfp = a.functions.find((d) => d.function === 'do_file_page')!;
    expect(dfp.locksAdded).toEqual(['pte_unmap(pte)', 'spin_unlock(page_table_lock)']);
    expect(a.variants).toContain('nonuniform');
  });

  it('quilt (mm: remove nopage): the ->nopage member goes, from a hunk that starts inside the struct', () => {
    const a = R.get(C.nopage)!;
    const m = a.apiChanges.find((c) => c.kind === 'removed-member')!;
    expect(m).toMatchObject({ name: 'nopage', container: 'vm_operations_struct', file: 'include/linux/mm.h' });
    expect(m.before).toBe('struct page *(*nopage)(struct vm_area_struct *area, unsigned long address, int *type)');
    expect(names(a, 'removed-macro')).toEqual(['NOPAGE_OOM', 'NOPAGE_SIGBUS']);
    expect(a.functions.find((d) => d.function === '__do_fault')!.callsRemoved).toContain('->nopage');
  });

  it('git-send-email (put_user_page v4): the placeholder family', () => {
    const a = R.get(C.pup)!;
    expect(a.patches[0]).toMatchObject({ version: 'v4', index: 1, total: 1 });
    expect(names(a, 'added-function')).toEqual(['__put_user_pages_dirty', 'put_user_page', 'put_user_pages', 'put_user_pages_dirty', 'put_user_pages_dirty_lock', 'set_dirty_func_t']);
    expect(a.variants).toEqual(['put_user_page']);
  });

  it('a caller conversion (vfio): put_page() -> put_user_pages_dirty_lock() with make_dirty', () => {
    const a = R.get(C.vfio)!;
    const put = a.functions.find((d) => d.function === 'put_pfn')!;
    expect(put.callsAdded).toEqual(['put_user_pages_dirty_lock']);
    expect(put.callsRemoved).toEqual(['SetPageDirty', 'put_page']);
    expect(a.apiChanges).toEqual([]);
    expect(a.variants).toEqual(['put_user_page']);
  });

  it('quoted-printable (rename to unpin_user_page): decoded before reading', () => {
    const a = R.get(C.unpin)!;
    expect(a.patches[0].files).toHaveLength(18);
    expect(names(a, 'removed-function')).toEqual(['put_user_page', 'put_user_pages']);
    expect(names(a, 'added-function')).toEqual(['unpin_user_page', 'unpin_user_pages']);
    // the renamed function keeps its body: one conversion, not a removal and an addition
    const conv = a.apiChanges.find((c) => c.kind === 'conversion')!;
    expect(conv.name).toBe('put_user_pages_dirty_lock -> unpin_user_pages_dirty_lock');
    // "=3D" decoded, "=\n" joined: the soft-broken line is one C line again
    expect(conv.after).toBe('void unpin_user_pages_dirty_lock(struct page **pages, unsigned long npages, bool make_dirty)');
    expect(a.functions.filter((d) => d.callsRemoved.includes('put_user_pages_dirty_lock')).length).toBeGreaterThanOrEqual(10);
  });
});
