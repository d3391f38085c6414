// What counts as a change, on constructed mails: every struct member, locals whose type a contract
// depends on, atomic accesses become plain ones, and body-only fixes named even without a hunk header.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Analysis } from '../../../src/patch/analysisModel';
import { analyzePatch } from '../../../src/patch/analyze';
import { fixture } from './fixtures';

const M = {
  seq: 'mails/2004-10-20_constructed_truncate_count-not-atomic_struct-field-and-plain-read.patch',
  lockfix: 'mails/2005-03-20_constructed_fremap_body-only-lock-fix_no-function-in-hunk-header.eml',
  syscall: 'mails/2009-01-14_constructed_fremap_SYSCALL_DEFINE5-DEFINE_MUTEX-inline-stub.patch',
};
const R = new Map<string, Analysis>();
beforeAll(async () => {
  for (const f of Object.values(M)) R.set(f, await analyzePatch(fixture(f), f));
});

describe('struct members and locals', () => {
  it('reports a data member whose type changes, one that goes and one that comes', () => {
    const a = R.get(M.seq)!;
    const members = a.apiChanges.filter((c) => /member/.test(c.kind)).map((c) => [c.kind, c.container, c.before ?? '', c.after ?? '']);
    expect(members).toEqual([
      ['member-type', 'address_space', 'atomic_t truncate_count', 'unsigned int truncate_count'],
      ['removed-member', 'address_space', 'struct list_head i_mmap_shared', ''],
      ['added-member', 'vm_area_struct', '', 'unsigned int vm_truncate_count'],
    ]);
  });

  it('reports the sequence local whose type changes in do_no_page()', () => {
    const f = R.get(M.seq)!.functions.find((d) => d.function === 'do_no_page')!;
    expect(f.localTypes).toEqual([{ name: 'sequence', before: 'int sequence', after: 'unsigned int sequence', line: expect.any(Number) }]);
  });
});

describe('a plain read is still a read', () => {
  it('atomic_read(&m->seq) -> m->seq is a change of access with its barrier gone, not a removed sequence read', () => {
    const f = R.get(M.seq)!.functions.find((d) => d.function === 'do_no_page')!;
    expect(f.locksRemoved).toEqual([]);
    expect(f.callsRemoved).toEqual(['smp_rmb']);
    expect(f.accessChanges).toEqual([{
      object: 'truncate_count', before: 'atomic_read(&mapping->truncate_count)', after: 'mapping->truncate_count',
      change: 'atomic -> plain read; barrier removed: smp_rmb()', line: expect.any(Number),
    }]);
  });

  it('atomic_inc(&m->seq) -> m->seq++ on the writer side', () => {
    const f = R.get(M.seq)!.functions.find((d) => d.function === 'unmap_mapping_range')!;
    expect(f.callsRemoved).toEqual([]);
    expect(f.accessChanges).toMatchObject([{ before: 'atomic_inc(&mapping->truncate_count)', after: 'mapping->truncate_count++', change: 'atomic -> plain write' }]);
  });
});

describe('body-only fixes', () => {
  it('a locking fix whose hunks name no function appears under the function its description names, with its flow change', () => {
    const a = R.get(M.lockfix)!;
    expect(a.functions).toEqual([{
      function: 'populate_file_range', file: 'mm/fremap.c', line: expect.any(Number),
      callsAdded: [], callsRemoved: [], locksAdded: [], locksRemoved: [],
      flowAdded: ['goto out_unlock', 'label out_unlock'], flowRemoved: ['break'], namedFrom: 'description',
    }]);
  });
});

describe('definition macros are definitions', () => {
  it('asmlinkage long sys_x(...) -> SYSCALL_DEFINE5(x, ...) is a definition change of sys_x, never a call of SYSCALL_DEFINE5', () => {
    const a = R.get(M.syscall)!;
    expect(a.apiChanges.find((c) => c.name === 'sys_remap_file_pages')).toMatchObject({
      kind: 'definition',
      before: 'asmlinkage long sys_remap_file_pages(unsigned long start, unsigned long size, unsigned long __prot, unsigned long pgoff, unsigned long flags)',
      after: 'SYSCALL_DEFINE5(remap_file_pages, unsigned long, start, unsigned long, size, unsigned long, prot, unsigned long, pgoff, unsigned long, flags)',
    });
    expect(a.functions.flatMap((f) => [...f.callsAdded, ...f.callsRemoved])).not.toContain('SYSCALL_DEFINE5');
    expect(a.functions.map((f) => f.function)).not.toContain('SYSCALL_DEFINE5');
  });

  it('DEFINE_MUTEX(x) defines x', () => {
    expect(R.get(M.syscall)!.apiChanges.find((c) => c.name === 'remap_mutex')).toMatchObject({ kind: 'added-definition', after: 'DEFINE_MUTEX(remap_mutex)' });
  });

  it('a function that becomes a static inline stub is reported as one', () => {
    const c = R.get(M.syscall)!.apiChanges.find((x) => x.name === 'install_page')!;
    expect(c.kind).toBe('stub');
    expect(c.after).toMatch(/^static inline int install_page\(.*\) \{ BUG\(\); return 0; \}$/);
    expect(c.before).toMatch(/^int install_page\(/);
  });
});

describe('ops tables and conversions', () => {
  const usx = 'mails/2007-12-05_constructed_usx2y_nopage-to-fault_ops-slot-conversion.patch';
  let a: Analysis;
  beforeAll(async () => {
    a = await analyzePatch(fixture(usx), usx);
  });

  it('a designated initializer changing slot is one ops-slot change naming the table and both slots', () => {
    expect(a.apiChanges.filter((c) => c.kind === 'ops-slot')).toMatchObject([{
      name: 'us428ctls_vm_ops', container: 'vm_operations_struct', before: '.nopage = snd_us428ctls_vm_nopage', after: '.fault = snd_us428ctls_vm_fault',
    }]);
  });

  it('the removed ->nopage and the added ->fault are one conversion with both signatures and return conventions', () => {
    expect(a.apiChanges.filter((c) => c.kind === 'removed-function' || c.kind === 'added-function')).toEqual([]);
    const c = a.apiChanges.find((x) => x.kind === 'conversion')!;
    expect(c).toMatchObject({
      name: 'snd_us428ctls_vm_nopage -> snd_us428ctls_vm_fault',
      before: 'struct page *snd_us428ctls_vm_nopage(struct vm_area_struct *area, unsigned long address, int *type)',
      after: 'int snd_us428ctls_vm_fault(struct vm_area_struct *area, struct vm_fault *vmf)',
    });
    expect(c.conversion).toMatchObject({ slot: 'vm_operations_struct.nopage -> .fault', table: 'us428ctls_vm_ops', returnsBefore: ['return page'] });
    expect(c.conversion!.returnsAfter.sort()).toEqual(['return 0', 'vmf->page = page']);
  });
});
