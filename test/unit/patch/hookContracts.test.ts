// Lock handling on every return path of a hook's implementations, on a patch made for the purpose,
// and the same analysis whatever the line endings or the encoding of the input.
import { beforeAll, describe, expect, it } from 'vitest';

import { analyzePatch } from '../../../src/patch/analyze';

import { fixture, SEED } from './fixtures';

const PATCH = `Subject: [PATCH] mm: enter ->fault with ptl held

diff --git a/include/linux/mm.h b/include/linux/mm.h
--- a/include/linux/mm.h
+++ b/include/linux/mm.h
@@ -10,4 +10,4 @@ struct vm_operations_struct {
 	void (*open)(struct vm_area_struct * area);
-	struct page *(*fault)(struct vm_area_struct *vma, unsigned long address);
+	int (*fault)(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address, pte_t *page_table);
 };
diff --git a/drivers/good.c b/drivers/good.c
--- a/drivers/good.c
+++ b/drivers/good.c
@@ -1,9 +1,11 @@
-static struct page *good_fault(struct vm_area_struct *vma, unsigned long address)
+static int good_fault(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address, pte_t *page_table)
 {
 	struct page *page = lookup(vma, address);
+	pte_unmap(page_table);
+	spin_unlock(&mm->page_table_lock);
 	if (!page)
-		return NULL;
-	return page;
+		return VM_FAULT_SIGBUS;
+	return install_new_page(mm, vma, address, page);
 }
diff --git a/drivers/early.c b/drivers/early.c
--- a/drivers/early.c
+++ b/drivers/early.c
@@ -1,9 +1,11 @@
-static struct page *early_fault(struct vm_area_struct *vma, unsigned long address)
+static int early_fault(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address, pte_t *page_table)
 {
 	if (address > vma->vm_end)
-		return NULL;
+		return VM_FAULT_SIGBUS;
+	pte_unmap(page_table);
+	spin_unlock(&mm->page_table_lock);
-	return lookup(vma, address);
+	return install_new_page(mm, vma, address, lookup(vma, address));
 }
diff --git a/drivers/maybe.c b/drivers/maybe.c
--- a/drivers/maybe.c
+++ b/drivers/maybe.c
@@ -1,7 +1,10 @@
-static struct page *maybe_fault(struct vm_area_struct *vma, unsigned long address)
+static int maybe_fault(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address, pte_t *page_table)
 {
+	pte_unmap(page_table);
+	if (vma->vm_flags & VM_IO)
+		spin_unlock(&mm->page_table_lock);
-	return lookup(vma, address);
+	return install_new_page(mm, vma, address, lookup(vma, address));
 }
diff --git a/mm/memory.c b/mm/memory.c
--- a/mm/memory.c
+++ b/mm/memory.c
@@ -100,8 +100,6 @@ static int do_fault(struct mm_struct *mm, struct vm_area_struct *vma,
 	struct page *page;
 
-	pte_unmap(page_table);
-	spin_unlock(&mm->page_table_lock);
-	page = vma->vm_ops->fault(vma, address);
+	return vma->vm_ops->fault(mm, vma, address, page_table);
 }
`;

describe('hook implementations under a held-at-entry contract', () => {
  it('derives the contract and checks every return path of each implementation', async () => {
    const a = await analyzePatch(PATCH, 'fault.patch');
    expect(a.lockContracts).toHaveLength(1);
    expect(a.lockContracts[0]).toMatchObject({
      hook: 'vm_operations_struct.fault',
      lock: 'page_table_lock',
      atEntry: 'held',
      droppedBy: 'implementation',
    });
    const impl = (fn: string) => a.implementations.find((i) => i.function === fn)!;
    expect(impl('good_fault')).toMatchObject({ consistent: true, problems: [] });
    const early = impl('early_fault');
    expect(early.consistent).toBe(false);
    expect(early.problems).toEqual([expect.stringMatching(/^line \d+: returns with page_table_lock still held$/)]);
    const maybe = impl('maybe_fault');
    expect(maybe.consistent).toBe(false);
    expect(maybe.problems.join()).toMatch(/returns with page_table_lock possibly held/);
    // the engine's fault variants are about ->nopage: a ->fault hook with the same contract is not one of them
    expect(a.variants).toEqual([]);
  });
});

describe('input forms', () => {
  let lf: Awaited<ReturnType<typeof analyzePatch>>;
  beforeAll(async () => {
    lf = await analyzePatch(fixture(SEED.s004), 'seed');
  });

  it('CRLF line endings give the same analysis', async () => {
    const crlf = await analyzePatch(fixture(SEED.s004).toString('utf8').replace(/\n/g, '\r\n'), 'seed');
    expect(crlf.apiChanges).toEqual(lf.apiChanges);
    expect(crlf.lockContracts).toEqual(lf.lockContracts);
    expect(crlf.implementations).toEqual(lf.implementations);
  });

  it('a Latin-1 byte in the mail is reported and the rest analysed', async () => {
    const bytes = Buffer.concat([Buffer.from('Greetings from M'), Buffer.from([0xfc]), Buffer.from('nchen\n\n'), fixture(SEED.s004)]);
    const a = await analyzePatch(new Uint8Array(bytes), 'latin1.txt');
    expect(a.problems.filter((p) => p.severity === 'warning').map((p) => [p.line, p.message])).toEqual([
      [1, 'invalid UTF-8 at byte 16; lines that are not UTF-8 are read as Windows-1252'],
    ]);
    expect(a.apiChanges.length).toBe(lf.apiChanges.length);
  });

  it('a binary file in a git diff is listed and skipped', async () => {
    const a = await analyzePatch(
      'diff --git a/fw.bin b/fw.bin\nindex 1..2 100644\nBinary files a/fw.bin and b/fw.bin differ\n',
      'bin.patch',
    );
    expect(a.patches[0].files).toEqual([{ path: 'fw.bin', status: 'modified', hunks: 0 }]);
    expect(a.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });
});
