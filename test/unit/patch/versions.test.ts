// Versions of a series in one thread, paired the way git range-diff pairs them.
import { describe, expect, it } from 'vitest';

import { analyzeWith } from '../../../src/patch/analyze';

function mail(n: number, version: string, i: number, total: number, title: string, file: string, removed: string, added: string): string {
  return [
    `From ${n}${'0'.repeat(39 - String(n).length)} Mon Sep 17 00:00:00 2001`,
    'From: Dev <dev@example.org>',
    `Subject: [PATCH ${version} ${i}/${total}] ${title}`,
    '',
    'Signed-off-by: Dev <dev@example.org>',
    '---',
    `diff --git a/${file} b/${file}`,
    `--- a/${file}`,
    `+++ b/${file}`,
    '@@ -10,3 +10,3 @@ static int f(void)',
    ' {',
    `-\t${removed}`,
    `+\t${added}`,
    ' }',
    '',
  ].join('\n');
}

describe('version pairs', () => {
  it('pairs the patches of v1 and v2 by content, not by position, and reports the dropped and new ones', () => {
    const thread = [
      mail(1, 'v1', 1, 3, 'mm: convert a', 'mm/a.c', 'put_page(p);', 'put_user_page(p);'),
      mail(2, 'v1', 2, 3, 'mm: convert b', 'mm/b.c', 'put_page(q);', 'put_user_page(q);'),
      mail(3, 'v1', 3, 3, 'mm: drop c', 'mm/c.c', 'x = 1;', 'x = 2;'),
      // v2 reorders b before a, changes a, drops c, adds d
      mail(4, 'v2', 1, 3, 'mm: convert b', 'mm/b.c', 'put_page(q);', 'put_user_page(q);'),
      mail(5, 'v2', 2, 3, 'mm: convert a', 'mm/a.c', 'put_page(p);', 'put_user_pages_dirty_lock(&p, 1, true);'),
      mail(6, 'v2', 3, 3, 'mm: add d', 'mm/d.c', 'int d;', 'long d;'),
    ].join('\n');
    const a = analyzeWith(thread, 'thread.mbox', undefined);
    expect(a.patches.map((p) => `${p.version} ${p.index}/${p.total}`)).toEqual([
      'v1 1/3',
      'v1 2/3',
      'v1 3/3',
      'v2 1/3',
      'v2 2/3',
      'v2 3/3',
    ]);
    const vp = a.versionPairs![0];
    expect([vp.from, vp.to]).toEqual(['v1', 'v2']);
    const pairs = vp.pairs.map((p) => [
      p.a.replace(/^\[PATCH v\d (\d)\/3\] /, '$1 '),
      p.b.replace(/^\[PATCH v\d (\d)\/3\] /, '$1 '),
      p.changed,
    ]);
    expect(pairs).toEqual([
      ['1 mm: convert a', '2 mm: convert a', true],
      ['2 mm: convert b', '1 mm: convert b', false],
      ['3 mm: drop c', '', true],
      ['', '3 mm: add d', true],
    ]);
    const aFiles = vp.pairs[0].files!;
    expect(aFiles).toEqual([
      { a: 'mm/a.c', b: 'mm/a.c', changed: true, interdiff: ['-+put_user_page(p);', '++put_user_pages_dirty_lock(&p, 1, true);'] },
    ]);
  });
});
