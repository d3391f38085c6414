// Diffs quoted in review replies: recovered at any quote depth, marked as quoted, comments attached to
// the hunk lines they follow; a thread with the patch and a quoting reply reports the patch once.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Analysis } from '../../../src/patch/analysisModel';
import { analyzePatch } from '../../../src/patch/analyze';
import { quoteLevel, recoverQuotedDiff } from '../../../src/patch/quotedDiff';
import { fixture } from './fixtures';

const M = {
  thread: 'mails/2003-06-27_thread_truncate-fix_patch-and-quoting-review.mbox',
  depth2: 'mails/2003-06-27_review_truncate-fix_quoted-at-depth-2.eml',
  snipped: 'mails/2003-06-28_review_truncate-fix_snipped-unrecoverable.eml',
  patch: 'corpus/2003-06-27_mccracken_truncate-fix-no-race_mime-attach.eml',
};
const R = new Map<string, Analysis>();
beforeAll(async () => {
  for (const f of Object.values(M)) R.set(f, await analyzePatch(fixture(f), f));
});

describe('quote prefixes', () => {
  it('counts levels written as ">>", "> >" and ">"', () => {
    expect(quoteLevel('> +foo')).toEqual({ depth: 1, textAt: 1 });
    expect(quoteLevel('>> +foo').depth).toBe(2);
    expect(quoteLevel('> > +foo')).toEqual({ depth: 2, textAt: 3 });
    expect(quoteLevel('plain').depth).toBe(0);
  });

  it('recovers a hunk interrupted by comments and keeps each comment after its line', () => {
    const q = recoverQuotedDiff([
      'Someone <a@b> wrote:', '> --- a/x.c', '> +++ b/x.c', '> @@ -1,3 +1,3 @@', '>  a();', '> -b();',
      '', 'why?', '', '> +c();', '>  d();',
    ], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])!;
    expect(q.lines).toEqual(['--- a/x.c', '+++ b/x.c', '@@ -1,3 +1,3 @@', ' a();', '-b();', '+c();', ' d();']);
    expect(q.comments).toEqual([{ after: 4, line: 8, text: 'why?', depth: 0 }]);
    expect(q.attribution).toBe('Someone <a@b>');
  });
});

describe('review replies', () => {
  it('a thread with the patch and a reply quoting it reports the patch once, with the comments on its lines', () => {
    const a = R.get(M.thread)!;
    const alone = R.get(M.patch)!;
    expect(a.patches).toHaveLength(1);
    expect(a.patches[0].quoted).toBeUndefined();
    // the same API delta as the patch alone: the quote adds nothing twice
    expect(a.functions).toEqual(alone.functions.map((f) => ({ ...f, line: a.functions.find((g) => g.function === f.function)!.line })));
    expect(a.variants).toEqual(['truncate-seq']);
    const c = a.reviewComments!;
    expect(c.map((x) => [x.on, x.sourceLine, x.author])).toEqual([
      ['-retry:', 1408, 'Andrew Morton <akpm@digeo.com>'],
      [' \t/* no page was available -- either SIGBUS or OOM */', 1412, 'Andrew Morton <akpm@digeo.com>'],
      [' \t\tgoto retry;', 1447, 'Andrew Morton <akpm@digeo.com>'],
    ]);
    // attached to the patch's own copy of the line (in the first message), not to the quote
    expect(c[0].line).toBeLessThan(a.patches[0].line + 40);
    expect(c[0].patch).toBe('[PATCH 2.5.73-mm1] Make sure truncate fix has no race');
  });

  it('a reply quoting at depth 2 (">> " and "> > " mixed) gives the patch, marked as quoted, and each writer\'s comment', () => {
    const a = R.get(M.depth2)!;
    expect(a.problems.filter((p) => p.severity !== 'info')).toEqual([]);
    expect(a.coverage).toMatchObject({ hunksSeen: 2, hunksRecovered: 2 });
    expect(a.patches[0].quoted).toMatchObject({ depth: 2, attribution: 'Dave McCracken <dmccr@us.ibm.com>', author: 'Dave McCracken <dmccr@us.ibm.com>' });
    expect(a.functions.find((f) => f.function === 'do_no_page')!.locksAdded).toEqual(['seq_read(truncate_count)']);
    const c = a.reviewComments!.filter((x) => x.on.includes('spin_unlock'));
    expect(c.map((x) => [x.author, x.text.split('\n')[0]])).toEqual([
      ['Andrew Morton <akpm@digeo.com>', 'Is that intended?'],
      ['Dave McCracken <dmccr@us.ibm.com>', 'Yes: the count has to be sampled before the lock goes, or a truncate'],
    ]);
  });

  it('a quote that looks like a diff but has no recoverable hunk line is a problem, not silence', () => {
    const a = R.get(M.snipped)!;
    expect(a.patches).toEqual([]);
    expect(a.problems.some((p) => /looks like a diff \(quote depth 1\) but no hunk line could be recovered/.test(p.message) && p.line === 9)).toBe(true);
  });
});
