// The diff reader on the shapes of diff kernel people exchange, and on damaged ones.
import { describe, expect, it } from 'vitest';

import type { Problem } from '../../../src/patch/analysisModel';
import { ADDED, CONTEXT, readDiffs, REMOVED, treePath } from '../../../src/patch/diffReader';
import { splitBody } from '../../../src/patch/flattenedDiff';
import { readMessages } from '../../../src/patch/mail';
import { decodeInput } from '../../../src/patch/textDecode';

function read(text: string) {
  const problems: Problem[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const r = readDiffs(
    lines.map((l) => l.replace(/\r$/, '')),
    lines.map((_l, i) => i + 1),
    'x.patch',
    problems,
  );
  return { ...r, problems };
}

describe('readDiffs', () => {
  it('reads git diff with a rename, a new file, a deleted file and a binary file', () => {
    const r = read(
      [
        'diff --git a/mm/old.c b/mm/new.c',
        'similarity index 90%',
        'rename from mm/old.c',
        'rename to mm/new.c',
        'index 111..222 100644',
        '--- a/mm/old.c',
        '+++ b/mm/new.c',
        '@@ -1,2 +1,2 @@',
        ' int a;',
        '-int b;',
        '+long b;',
        'diff --git a/mm/added.c b/mm/added.c',
        'new file mode 100644',
        'index 0000000..333',
        '--- /dev/null',
        '+++ b/mm/added.c',
        '@@ -0,0 +1 @@',
        '+int c;',
        'diff --git a/mm/gone.c b/mm/gone.c',
        'deleted file mode 100644',
        '--- a/mm/gone.c',
        '+++ /dev/null',
        '@@ -1 +0,0 @@',
        '-int d;',
        'diff --git a/logo.png b/logo.png',
        'index 444..555 100644',
        'GIT binary patch',
        'literal 12',
        'zcmZ?wbhEHbRA3NZU~',
        '',
        'literal 0',
        'HcmV?d00001',
        '',
      ].join('\n'),
    );
    expect(r.files.map((f) => [f.path, f.status, f.binary])).toEqual([
      ['mm/new.c', 'renamed', false],
      ['mm/added.c', 'added', false],
      ['mm/gone.c', 'deleted', false],
      ['logo.png', 'modified', true],
    ]);
    expect(r.files[0].oldPath).toBe('a/mm/old.c');
    expect(r.files[1].hunks[0].lines).toEqual([{ kind: ADDED, text: 'int c;', src: 18, oldNo: 0, newNo: 1 }]);
    expect(r.problems).toEqual([]);
    expect([r.hunksSeen, r.hunksRecovered]).toEqual([3, 3]);
  });

  it('reads quilt Index: headers, diff -puN paths and diff -urN trees', () => {
    const r = read(
      [
        'Index: linux-2.6/include/linux/mm.h',
        '===================================================================',
        '--- linux-2.6.orig/include/linux/mm.h',
        '+++ linux-2.6/include/linux/mm.h',
        '@@ -162,2 +162,1 @@ struct vm_operations_struct {',
        ' 	void (*open)(struct vm_area_struct * area);',
        '-	int x;',
        'diff -puN mm/memory.c~rfp-fault-sigsegv-2 mm/memory.c',
        '--- linux-2.6.git/mm/memory.c~rfp-fault-sigsegv-2	2005-08-11 14:21:01.000000000 +0200',
        '+++ linux-2.6.git-paolo/mm/memory.c	2005-08-11 22:46:49.000000000 +0200',
        '@@ -1 +1 @@ int get_user_pages(struct task_struct *t',
        '-a',
        '+b',
        'diff -urN -X dontdiff linux-2.5.70-mm2/kernel/ksyms.c linux-2.5.70-mm2.x/kernel/ksyms.c',
        '--- linux-2.5.70-mm2/kernel/ksyms.c Fri May 30 14:51:06 2003',
        '+++ linux-2.5.70-mm2.x/kernel/ksyms.c Fri May 30 15:12:36 2003',
        '@@ -1 +1,2 @@',
        ' a',
        '+b',
      ].join('\n'),
    );
    expect(r.files.map((f) => f.path)).toEqual(['include/linux/mm.h', 'mm/memory.c', 'kernel/ksyms.c']);
    expect(r.files[0].hunks[0].section).toBe('struct vm_operations_struct {');
    expect(r.problems).toEqual([]);
    expect(treePath('linux-2.5.70-mm2.install_new_page/arch/ia64/ia32/binfmt_elf32.c')).toBe('arch/ia64/ia32/binfmt_elf32.c');
    expect(treePath('mm/memory.c')).toBe('mm/memory.c');
  });

  it('reads CRLF diffs', () => {
    const r = read('--- a/x.c\r\n+++ b/x.c\r\n@@ -1,2 +1,2 @@\r\n a;\r\n-b;\r\n+c;\r\n');
    expect(r.files[0].hunks[0].lines.map((l) => l.text)).toEqual(['a;', 'b;', 'c;']);
    expect(r.hunksRecovered).toBe(1);
  });

  it('recovers context lines that lost their leading space, using the counts', () => {
    const r = read(
      ['--- a/x.c', '+++ b/x.c', '@@ -1,4 +1,4 @@', 'int f(void)', '{', '-	return 0;', '+	return 1;', '}', 'Thanks, Paul'].join('\n'),
    );
    const h = r.files[0].hunks[0];
    expect(h.lines.map((l) => l.kind)).toEqual([CONTEXT, CONTEXT, REMOVED, ADDED, CONTEXT]);
    expect(h.complete).toBe(true);
    expect(h.repair).toBe('stripped-context');
    // the prose after the hunk is not swallowed
    expect(h.lines.some((l) => l.text.includes('Thanks'))).toBe(false);
  });

  it('reports a truncated hunk with its line and keeps what it read', () => {
    const r = read(['--- a/x.c', '+++ b/x.c', '@@ -10,5 +10,5 @@', ' a', '-b', '+c', '@@ -30,1 +30,1 @@', '-x', '+y'].join('\n'));
    expect(r.files[0].hunks).toHaveLength(2);
    expect(r.files[0].hunks[0].complete).toBe(false);
    expect(r.files[0].hunks[0].lines).toHaveLength(3);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ file: 'x.patch', line: 7, severity: 'error' });
    expect(r.problems[0].message).toMatch(/x\.c: hunk at line 3 is truncated: 3 old and 3 new line\(s\)/);
    expect([r.hunksSeen, r.hunksRecovered]).toEqual([2, 1]);
  });

  it('reads the lines of a hunk whose counts are too small, and says so', () => {
    const r = read(['--- a/x.c', '+++ b/x.c', '@@ -1,1 +1,1 @@', '-a', '+b', '+c', '+d', 'diff --git a/y b/y'].join('\n'));
    const h = r.files[0].hunks[0];
    expect(h.lines.map((l) => l.text)).toEqual(['a', 'b', 'c', 'd']);
    expect(h.repair).toBe('overflow');
    expect(r.problems[0]).toMatchObject({ line: 6, severity: 'warning' });
    expect(r.problems[0].message).toMatch(/2 more changed line\(s\) than its header/);
  });

  it('reports a malformed hunk header and a hunk without a file', () => {
    const r = read(['@@ -1,x +1 @@', '@@ -1 +1 @@', '-a', '+b'].join('\n'));
    expect(r.problems.map((p) => [p.line, p.severity])).toEqual([
      [1, 'error'],
      [2, 'warning'],
    ]);
    expect(r.files[0].path).toBe('?');
    expect(r.hunksSeen).toBe(2);
  });

  it('splits a diff flattened onto one line, checking the markers against the counts', () => {
    const body =
      'page = single_page_walk(tsk, mm, vma, start, write); - if (!(IS_ERR(page) || PageReserved(page))) + if (IS_ERR(page)) + goto out; + + if (!PageReserved(page)) page_cache_get(page); spin_unlock(&mm->page_table_lock); +out: return page; }';
    const lines = splitBody(body, 10, 14);
    expect(lines.filter((l) => l.startsWith('-'))).toEqual(['- if (!(IS_ERR(page) || PageReserved(page)))']);
    expect(lines.filter((l) => l.startsWith('+'))).toEqual([
      '+ if (IS_ERR(page))',
      '+ goto out;',
      '+',
      '+ if (!PageReserved(page))',
      '+ out:',
    ]);
    expect(lines).toContain(' page_cache_get(page);');
    // arithmetic minus signs are not markers
    expect(splitBody('x = a - b; - y = 1;', 2, 1).filter((l) => l.startsWith('-'))).toEqual(['- y = 1;']);
  });
});

describe('input decoding and mail', () => {
  it('reads lines that are not UTF-8 as Windows-1252, keeps the UTF-8 ones, and says where', () => {
    const problems: Problem[] = [];
    const bytes = new Uint8Array([...Buffer.from('line one: J\u00e9r\u00f4me\nJ'), 0xe9, 0x72, 0xf4, ...Buffer.from('me\nlast \u00e9\n')]);
    const text = decodeInput(bytes, 'm.eml', problems);
    expect(text).toBe('line one: Jérôme\nJérôme\nlast é\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'm.eml', line: 2, severity: 'warning' });
  });

  it('splits an mbox and decodes quoted-printable MIME parts', () => {
    const mbox = [
      'From 1234 Mon Sep 17 00:00:00 2001',
      'From: A <a@x>',
      'Subject: [PATCH v3 2/5] mm: one',
      'Content-Type: multipart/mixed; boundary="BB"',
      '',
      '--BB',
      'Content-Type: text/plain',
      '',
      'Signed-off-by: A <a@x>',
      '--BB',
      'Content-Type: text/x-patch; name="p.diff"',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      '--- a/x.c',
      '+++ b/x.c',
      '@@ -1 +1 @@',
      '-a =3D 1;',
      '+a =3D 2; /* a very long line that the mailer wrapped with a soft line=',
      ' break */',
      '--BB--',
      '',
      'From 5678 Mon Sep 17 00:00:00 2001',
      'Subject: =?UTF-8?q?J=C3=A9r=C3=B4me?= [PATCH v3 3/5] two',
      '',
      'body',
    ].join('\n');
    const problems: Problem[] = [];
    const msgs = readMessages(mbox, 'm', problems);
    expect(msgs.map((m) => m.subject)).toEqual(['[PATCH v3 2/5] mm: one', 'Jérôme [PATCH v3 3/5] two']);
    expect(msgs[0].trailers).toEqual([{ key: 'Signed-off-by', value: 'A <a@x>' }]);
    const r = readDiffs(msgs[0].lines, msgs[0].lineNos, 'm', problems);
    expect(r.files[0].hunks[0].lines.map((l) => [l.text, l.src])).toEqual([
      ['a = 1;', 17],
      ['a = 2; /* a very long line that the mailer wrapped with a soft line break */', 18],
    ]);
    expect(problems).toEqual([]);
  });
});
