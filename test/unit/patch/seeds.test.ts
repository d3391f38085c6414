// Golden tests on the five seeds: every signature change, addition and removal the analyser finds,
// the two lock contracts of seed 004, the put_user_page*() family of seed 003, and the
// custom_page_walker_t comment change of seed 001.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Analysis, ApiChange } from '../../../src/patch/analysisModel';
import { analyzePatch } from '../../../src/patch/analyze';
import { fixture, SEED } from './fixtures';

const results = new Map<string, Analysis>();
beforeAll(async () => {
  for (const f of Object.values(SEED)) results.set(f, await analyzePatch(fixture(f), f));
});

function names(a: Analysis, kind: ApiChange['kind'], version?: string): string[] {
  return a.apiChanges
    .filter((c) => c.kind === kind && c.version === version)
    .map((c) => (c.kind.includes('member') ? `${c.container}.${c.name}` : c.name))
    .sort();
}

function change(a: Analysis, kind: ApiChange['kind'], name: string, version?: string): ApiChange {
  const c = a.apiChanges.find((x) => x.kind === kind && x.name === name && x.version === version);
  expect(c, `${kind} ${name} ${version ?? ''}`).toBeDefined();
  return c!;
}

const NOPAGE_MM2 = [
  'DRM(vm_dma_nopage)', 'DRM(vm_nopage)', 'DRM(vm_sg_nopage)', 'DRM(vm_shm_nopage)', 'alpha_core_agp_vm_nopage', 'dma_region_pagefault',
  'emu10k1_mm_nopage', 'filemap_nopage', 'hugetlb_nopage', 'ia32_install_shared_page', 'ncp_file_mmap_nopage', 'sg_vma_nopage',
  'sgi_graphics_nopage', 'shmem_nopage', 'snd_pcm_mmap_control_nopage', 'snd_pcm_mmap_data_nopage', 'snd_pcm_mmap_status_nopage',
  'via_mm_nopage', 'videobuf_vm_nopage',
];

describe('seed 004: do_no_page() to a hook, two versions', () => {
  const MM2 = '2.5.70-mm2';
  const MM3 = '2.5.70-mm3';
  it('finds both versions of the patch from the trees they were diffed against', () => {
    const a = results.get(SEED.s004)!;
    expect(a.patches.map((p) => p.version)).toEqual([MM2, MM3]);
    expect(a.patches[0].files).toHaveLength(18);
    expect(a.patches[1].files).toHaveLength(24);
    expect(a.coverage).toMatchObject({ hunksSeen: 106, hunksRecovered: 106, cSides: 212 });
    expect(a.coverage.cSidesClean).toBeGreaterThan(140);
  });

  it('-mm2: every signature change, addition and removal', () => {
    const a = results.get(SEED.s004)!;
    expect(names(a, 'signature', MM2)).toEqual(NOPAGE_MM2);
    expect(names(a, 'member-signature', MM2)).toEqual(['vm_operations_struct.nopage']);
    expect(names(a, 'added-function', MM2)).toEqual(['install_new_page']);
    expect(names(a, 'removed-function', MM2)).toEqual([]);
    expect(names(a, 'removed-macro', MM2)).toEqual(['NOPAGE_OOM', 'NOPAGE_SIGBUS']);
    expect(names(a, 'added-macro', MM2)).toEqual(['NOPAGE_OOM', 'NOPAGE_SIGBUS']);
    expect(names(a, 'added-export', MM2)).toEqual(['install_new_page']);
    const nopage = change(a, 'member-signature', 'nopage', MM2);
    expect(nopage.container).toBe('vm_operations_struct');
    expect(nopage.before).toBe('struct page *(*nopage)(struct vm_area_struct *area, unsigned long address, int unused)');
    expect(nopage.after).toBe('int (*nopage)(struct mm_struct *mm, struct vm_area_struct *area, unsigned long address, int write_access, pmd_t *pmd)');
    // the NOPAGE_* removal is in mm.h, the compat defines are in the sound driver
    expect(a.apiChanges.find((c) => c.kind === 'removed-macro' && c.version === MM2)!.file).toBe('include/linux/mm.h');
    expect(a.apiChanges.find((c) => c.kind === 'added-macro' && c.version === MM2)!.after).toMatch(/#define NOPAGE_\w+ VM_FAULT_\w+/);
    // the prototype in mm.h and the definition in memory.c are one addition
    const inp = change(a, 'added-function', 'install_new_page', MM2);
    expect(inp.after).toBe('int install_new_page(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address, int write_access, pmd_t *pmd, struct page *new_page)');
    expect([inp.file, ...(inp.locations ?? []).map((l) => l.file)].sort()).toEqual(['include/linux/mm.h', 'mm/memory.c']);
  });

  it('-mm3: every signature change, addition and removal', () => {
    const a = results.get(SEED.s004)!;
    expect(names(a, 'signature', MM3)).toEqual([...NOPAGE_MM2, 'do_anonymous_page', 'shmiq_nopage'].sort());
    expect(change(a, 'member-signature', 'nopage', MM3).after).toBe(
      'int (*nopage)(struct mm_struct *mm, struct vm_area_struct *area, unsigned long address, int write_access, pte_t *page_table, pmd_t *pmd)');
    // "converts the bulk of do_no_page() into" install_new_page(): one conversion, not a removal and an addition
    expect(names(a, 'removed-function', MM3)).toEqual([]);
    expect(names(a, 'added-function', MM3)).toEqual([]);
    expect(change(a, 'conversion', 'do_no_page -> install_new_page', MM3).conversion).toMatchObject({ from: 'do_no_page', to: 'install_new_page' });
    expect(names(a, 'removed-macro', MM3)).toEqual(['NOPAGE_OOM', 'NOPAGE_SIGBUS']);
    expect(names(a, 'added-export', MM3)).toEqual(['install_new_page']);
    const anon = change(a, 'signature', 'do_anonymous_page', MM3);
    expect(anon.before).toContain('pte_t *page_table, pmd_t *pmd, int write_access, unsigned long addr');
    expect(anon.after).toContain('unsigned long addr, int write_access, pte_t *page_table, pmd_t *pmd');
  });

  it('the return convention of ->nopage: NULL/NOPAGE_*/page -> VM_FAULT_*/install_new_page()', () => {
    const a = results.get(SEED.s004)!;
    for (const v of [MM2, MM3]) {
      const rc = change(a, 'return-convention', 'nopage', v);
      expect(rc.before).toMatch(/^struct page \*: /);
      for (const f of ['NULL', 'NOPAGE_OOM', 'NOPAGE_SIGBUS']) expect(rc.before).toContain(f);
      expect(rc.after).toMatch(/^int: /);
      for (const f of ['VM_FAULT_OOM', 'VM_FAULT_SIGBUS', 'install_new_page(...)']) expect(rc.after).toContain(f);
      expect(rc.after).not.toContain('NOPAGE_');
    }
  });

  it('-mm2: the caller drops page_table_lock before ->nopage', () => {
    const a = results.get(SEED.s004)!;
    const cs = a.lockContracts.filter((c) => c.version === MM2);
    expect(cs).toHaveLength(1);
    expect(cs[0]).toMatchObject({ hook: 'vm_operations_struct.nopage', lock: 'page_table_lock', atEntry: 'released', droppedBy: 'caller' });
    const ev = cs[0].evidence.map((e) => `${e.file}: ${e.text.trim()}`);
    expect(ev).toContain('mm/memory.c: spin_unlock(&mm->page_table_lock);');
    expect(ev.some((e) => e.startsWith('mm/memory.c: + return vma->vm_ops->nopage(mm, vma,'))).toBe(true);
  });

  it('-mm3: ->nopage is entered with page_table_lock held and each implementation drops it', () => {
    const a = results.get(SEED.s004)!;
    const cs = a.lockContracts.filter((c) => c.version === MM3);
    expect(cs).toHaveLength(1);
    expect(cs[0]).toMatchObject({ hook: 'vm_operations_struct.nopage', lock: 'page_table_lock', atEntry: 'held', droppedBy: 'implementation' });
    const ev = cs[0].evidence;
    // the caller's unlock goes away, the implementations' unlocks come in
    expect(ev.some((e) => e.file === 'mm/memory.c' && e.text.startsWith('-') && e.text.includes('spin_unlock(&mm->page_table_lock)'))).toBe(true);
    expect(ev.filter((e) => e.text.startsWith('+') && e.text.includes('spin_unlock(&mm->page_table_lock)')).length).toBeGreaterThanOrEqual(3);
  });

  it('checks each implementation of the changed hook', () => {
    const a = results.get(SEED.s004)!;
    const impl = (v: string, fn: string, file?: string) => {
      const i = a.implementations.find((x) => x.version === v && x.function === fn && (!file || x.file === file));
      expect(i, `${v} ${fn}`).toBeDefined();
      return i!;
    };
    expect(a.implementations.filter((i) => i.version === MM2)).toHaveLength(19);
    expect(impl(MM2, 'filemap_nopage').consistent).toBe(true);
    expect(impl(MM2, 'alpha_core_agp_vm_nopage').problems.join()).toMatch(/parameter 5 'pmd_t pmd' should be 'pmd_t \*'/);
    expect(impl(MM2, 'videobuf_vm_nopage').consistent).toBe(false);
    expect(impl(MM2, 'dma_region_pagefault').problems.join()).toMatch(/passed 'vma', which is not a parameter/);
    expect(impl(MM2, 'sg_vma_nopage').problems.join()).toMatch(/initialised with VM_FAULT_SIGBUS/);
    expect(impl(MM2, 'sgi_graphics_nopage').problems.join()).toMatch(/'struct int' is not a type/);
    // the sound driver's NOPAGE_* returns are fine: the patch defines them as VM_FAULT_* in that file
    expect(impl(MM2, 'snd_pcm_mmap_status_nopage').consistent).toBe(true);
    // -mm3: shmiq_nopage was left behind (old return type, never drops the lock it is now handed)
    const shmiq = impl(MM3, 'shmiq_nopage').problems.join('\n');
    expect(shmiq).toMatch(/returns 'struct page \*', but nopage now returns 'int'/);
    expect(shmiq).toMatch(/never drops page_table_lock/);
    expect(shmiq).toMatch(/never calls pte_unmap/);
    for (const fn of ['filemap_nopage', 'shmem_nopage', 'via_mm_nopage', 'emu10k1_mm_nopage', 'ncp_file_mmap_nopage']) {
      expect(impl(MM3, fn).consistent, fn).toBe(true);
    }
    expect(a.implementations.filter((i) => i.version === MM3 && i.function === 'hugetlb_nopage')).toHaveLength(3);
    // installed with ".nopage = do_anonymous_page": an implementation whose body the patch does not show
    expect(impl(MM3, 'do_anonymous_page').notes?.join()).toMatch(/page_table_lock/);
  });

  it('recognises the engine variants from the contracts', () => {
    const a = results.get(SEED.s004)!;
    expect(a.variants).toEqual(['install_new_page', 'install_new_page-hch']);
    expect(a.variantDetails!.map((d) => [d.version, d.family, d.variant])).toEqual([[MM2, 'fault', 'install_new_page'], [MM3, 'fault', 'install_new_page-hch']]);
  });

  it('pairs the two versions file by file and diffs them', () => {
    const a = results.get(SEED.s004)!;
    expect(a.versionPairs).toHaveLength(1);
    const vp = a.versionPairs![0];
    expect([vp.from, vp.to]).toEqual([MM2, MM3]);
    expect(vp.pairs).toHaveLength(1);
    const files = vp.pairs[0].files!;
    const onlyMm3 = files.filter((f) => !f.a).map((f) => f.b).sort();
    expect(onlyMm3).toEqual(['arch/i386/mm/hugetlbpage.c', 'arch/ia64/kernel/perfmon.c', 'arch/ia64/mm/hugetlbpage.c', 'drivers/char/ftape/zftape/zftape-init.c', 'drivers/sgi/char/shmiq.c', 'net/packet/af_packet.c']);
    expect(files.filter((f) => !f.b)).toEqual([]);
    const ksyms = files.find((f) => f.a === 'kernel/ksyms.c')!;
    expect(ksyms.changed).toBe(false);
    const filemap = files.find((f) => f.a === 'mm/filemap.c')!;
    expect(filemap.changed).toBe(true);
    expect(filemap.interdiff!.some((l) => l.includes('pte_unmap(page_table)'))).toBe(true);
  });
});

describe('seed 003: put_user_page*() placeholders (git format-patch copied from an archive)', () => {
  it('finds the put_user_page*() family, its exports and the release variant', () => {
    const a = results.get(SEED.s003)!;
    expect(a.patches).toHaveLength(1);
    expect(a.patches[0]).toMatchObject({ version: 'v2', index: 2, total: 6 });
    expect(a.patches[0].trailers).toContainEqual({ key: 'Signed-off-by', value: 'John Hubbard <jhubbard@xxxxxxxxxx>' });
    expect(names(a, 'added-function')).toEqual(['__put_user_pages_dirty', 'put_user_page', 'put_user_pages', 'put_user_pages_dirty', 'put_user_pages_dirty_lock', 'set_dirty_func']);
    expect(names(a, 'added-export')).toEqual(['put_user_pages', 'put_user_pages_dirty', 'put_user_pages_dirty_lock']);
    expect(names(a, 'removed-function')).toEqual([]);
    expect(change(a, 'added-function', 'put_user_pages_dirty_lock').after).toBe('void put_user_pages_dirty_lock(struct page **pages, unsigned long npages)');
    const inner = a.functions.find((f) => f.function === '__put_user_pages_dirty')!;
    expect(inner.callsAdded).toEqual(['PageDirty', 'compound_head', 'put_user_page', 'sdf']);
    expect(a.variants).toEqual(['put_user_page']);
    expect(a.coverage).toEqual({ hunksSeen: 2, hunksRecovered: 2, cSides: 4, cSidesClean: 4 });
  });
});

describe('seed 001: a whole mail flattened onto one line', () => {
  it('recovers all seven hunks from the counts', () => {
    const a = results.get(SEED.s001)!;
    expect(a.coverage).toMatchObject({ hunksSeen: 7, hunksRecovered: 7, cSides: 14 });
    expect(a.patches[0].subject).toBe('[RFC PATCH] Re: get_user_pages rewrite (completed, updated for 2.4.46)');
    expect(a.patches[0].files.map((f) => f.path)).toEqual(['include/linux/mm.h', 'mm/memory.c']);
  });

  it('reports the changed locking rules of custom_page_walker_t', () => {
    const a = results.get(SEED.s001)!;
    const c = change(a, 'comment', 'custom_page_walker_t');
    expect(c.file).toBe('include/linux/mm.h');
    expect(c.before).toContain('If it returns a negative value, then the page_table_lock must be dropped\nby this function, if it is held.');
    expect(c.after).toContain('If IS_ERR(@page) is NOT TRUE, this function is called with\n@vma->vm_mm->page_table_lock held.');
    expect(c.after).toContain('The value of @vma is undefined if IS_ERR(@page) is TRUE.');
  });

  it('sees the walkers stop unlocking and the walk unlock on error (option 3)', () => {
    const a = results.get(SEED.s001)!;
    const removed = a.functions.filter((f) => f.locksRemoved.includes('spin_unlock(page_table_lock)'));
    expect(removed).toHaveLength(2);
    expect(a.functions.some((f) => f.locksAdded.includes('spin_unlock(page_table_lock)'))).toBe(true);
    expect(a.variants).toEqual(['walk-opt3']);
  });
});

describe('seeds 000 and 002: announcements without a diff', () => {
  it('reads them without problems and finds no patch', () => {
    for (const s of [SEED.s000, SEED.s002]) {
      const a = results.get(s)!;
      expect(a.patches).toEqual([]);
      expect(a.coverage).toEqual({ hunksSeen: 0, hunksRecovered: 0 });
      expect(a.problems.filter((p) => p.severity === 'error')).toEqual([]);
    }
  });
});
