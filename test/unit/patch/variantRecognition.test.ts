// Engine variants recognised from extracted facts, on small patches made for each rule (the seeds and
// corpus cover install_new_page, install_new_page-hch, truncate-seq, walk-opt3, walk-opt4,
// put_user_page and nonuniform).
import { describe, expect, it } from 'vitest';
import { analyzePatch } from '../../../src/patch/analyze';
import { fixture } from './fixtures';

const wrap = (file: string, hunk: string) => `diff --git a/${file} b/${file}\n--- a/${file}\n+++ b/${file}\n${hunk}`;

describe('variant recognition', () => {
  it('walk-opt1: the walker gets an explicit "locked" argument', async () => {
    const a = await analyzePatch(wrap('include/linux/page_walk.h', [
      '@@ -1,3 +1,3 @@',
      ' struct page_walk;',
      '-typedef int (*custom_page_walker_t)(struct vm_area_struct *vma, struct page *page, unsigned long virt_addr, void *customdata);',
      '+typedef int (*custom_page_walker_t)(struct vm_area_struct *vma, struct page *page, unsigned long virt_addr, void *customdata, int locked);',
      ' int walk_user_pages(struct page_walk *pw);',
      '',
    ].join('\n')), 'opt1.patch');
    expect(a.apiChanges.find((c) => c.name === 'custom_page_walker_t')).toMatchObject({ kind: 'signature' });
    expect(a.variants).toEqual(['walk-opt1']);
  });

  it('walk-opt2: page_table_lock dropped before every walker call', async () => {
    const a = await analyzePatch(wrap('mm/page_walk.c', [
      '@@ -10,8 +10,9 @@',
      ' int walk_user_pages(struct page_walk *pw)',
      ' {',
      ' 	struct page *page;',
      ' 	spin_lock(&pw->mm->page_table_lock);',
      ' 	page = follow_page(pw->mm, pw->virt, pw->write);',
      '+	spin_unlock(&pw->mm->page_table_lock);',
      ' 	return pw->walker(pw->vma, page, pw->virt, pw->data);',
      ' }',
      '',
    ].join('\n')), 'opt2.patch');
    expect(a.functions.find((f) => f.function === 'walk_user_pages')!.locksAdded).toEqual(['spin_unlock(page_table_lock)']);
    expect(a.variants).toEqual(['walk-opt2']);
  });

  it('walk: the page-walk API without one of the locking options', async () => {
    const a = await analyzePatch(wrap('mm/memory.c', [
      '@@ -1,5 +1,5 @@ int make_pages_present(unsigned long addr, unsigned long end)',
      ' {',
      '-	ret = get_user_pages(current, current->mm, addr, len, write, 0, NULL, NULL);',
      '+	ret = walk_user_pages(&pw);',
      ' 	return ret;',
      ' }',
      '',
    ].join('\n')), 'walk.patch');
    expect(a.variants).toEqual(['walk']);
  });

  it('put_page: pages from get_user_pages() released with put_page()', async () => {
    const a = await analyzePatch(wrap('drivers/x.c', [
      '@@ -1,6 +1,7 @@ static int x_pin(unsigned long uaddr)',
      ' {',
      ' 	struct page *page;',
      ' 	int ret = get_user_pages(current, current->mm, uaddr, 1, 1, 0, &page, NULL);',
      '+	put_page(page);',
      ' 	return ret;',
      ' }',
      '',
    ].join('\n')), 'put.patch');
    // the get_user_pages() call itself is context: the patch says nothing about the gup variant
    expect(a.variants).toEqual(['put_page']);
  });

  it('2.6.13: remap_file_pages changed without per-page protections', async () => {
    const a = await analyzePatch(wrap('mm/fremap.c', [
      '@@ -1,5 +1,5 @@ asmlinkage long sys_remap_file_pages(unsigned long start, unsigned long size,',
      ' {',
      '-	err = vma->vm_ops->populate(vma, start, size, vma->vm_page_prot, pgoff, flags & MAP_NONBLOCK);',
      '+	err = vma->vm_ops->populate(vma, start, size, pgprot, pgoff, flags & MAP_NONBLOCK);',
      ' 	return err;',
      ' }',
      '',
    ].join('\n')), 'remap.patch');
    // only an argument changes: no call or lock is added or removed, so nothing to recognise
    expect(a.functions).toEqual([]);
    expect(a.variants).toEqual([]);
    const b = await analyzePatch(wrap('mm/fremap.c', [
      '@@ -1,5 +1,6 @@ asmlinkage long sys_remap_file_pages(unsigned long start, unsigned long size,',
      ' {',
      '-	err = vma->vm_ops->populate(vma, start, size, vma->vm_page_prot, pgoff, flags & MAP_NONBLOCK);',
      '+	down_write(&mm->mmap_sem);',
      '+	err = vma->vm_ops->populate(vma, start, size, pgprot, pgoff, flags & MAP_NONBLOCK);',
      ' 	return err;',
      ' }',
      '',
    ].join('\n')), 'remap2.patch');
    expect(b.variants).toEqual(['2.6.13']);
  });

  it('a patch that deletes a variant\'s code is not that variant', async () => {
    const a = await analyzePatch(wrap('mm/page_walk.c', [
      '@@ -1,7 +1,2 @@',
      ' #include <linux/mm.h>',
      '-int walk_user_pages(struct page_walk *pw)',
      '-{',
      '-	return get_one_user_page(pw);',
      '-}',
      '-EXPORT_SYMBOL(walk_user_pages);',
      ' ',
      '',
    ].join('\n')), 'rm-walk.patch');
    expect(a.apiChanges.map((c) => c.kind)).toContain('removed-function');
    expect(a.variants).toEqual([]);
  });

  it('a later patch touching do_no_page() near the sequence read, without making the change, is not truncate-seq', async () => {
    const a = await analyzePatch(wrap('mm/memory.c', [
      '@@ -10,7 +10,7 @@ do_no_page(struct mm_struct *mm, struct vm_area_struct *vma,',
      ' 	sequence = atomic_read(&mapping->truncate_count);',
      ' retry:',
      '-	new_page = vma->vm_ops->nopage(vma, address & PAGE_MASK, 0);',
      '+	new_page = vma->vm_ops->nopage(vma, address & PAGE_MASK, &ret);',
      ' 	if (new_page == NOPAGE_SIGBUS)',
      ' 		return VM_FAULT_SIGBUS;',
      ' 	if (new_page == NOPAGE_OOM)',
      '',
    ].join('\n')), 'later.patch');
    expect(a.variants).toEqual([]);
  });

  it('each claim has a confidence and rests on added or removed lines only', async () => {
    const f = 'corpus/2003-06-27_mccracken_truncate-fix-no-race_mime-attach.eml';
    const a = await analyzePatch(fixture(f), f);
    const d = a.variantDetails!.find((x) => x.variant === 'truncate-seq')!;
    expect(d.confidence).toBe('high');
    expect(d.lines.length).toBeGreaterThan(0);
    for (const l of d.lines) expect(l.text).toMatch(/^[+-]/);
    expect(d.lines[0].text).toBe('+\t\tsequence = atomic_read(&mapping->truncate_count);');
  });
});
