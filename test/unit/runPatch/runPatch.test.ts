// mmx run-patch: the patch's own C, applied at function level to a kernel tree, as base and patched
// columns. Seed 004's thread (web-archive copy) gives base/-mm2/-mm3 with the hand-written
// variants' verdicts; McCracken's truncate fix does not apply to 2.6.11 and says why, and the
// question is answered the other way round with --reverse; a patch that drops the retry gives a
// replayable stale-pte; a barrier-only patch is not observable under sequential consistency.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { directoryTree } from '../../../src/cli/commands/runPatch';
import { functionScenarioTable, reordersOnly, runPatch, underSequentialConsistency, type PatchRunReport } from '../../../src/cli/patchRun';
import { loadCParser, type CParser } from '../../../src/patch/cParser';
import { loadScenarioFile } from '../../../src/scenario/library';
import { compareScenario } from '../../../src/scenario/runner';
import { mmx } from '../mmx';

const root = join(__dirname, '../../..');
const fx = (p: string): string => join(root, 'test/fixtures', p);
const SC = (n: string): string => join(root, 'scenarios', `${n}.mmscenario.yaml`);
const SEED004 = join(root, 'samples/install_new_page-thread.txt');
const MCCRACKEN = fx('patch/corpus/2003-06-27_mccracken_truncate-fix-no-race_mime-attach.eml');
const T2611 = fx('linux-2.6.11');
const T260 = fx('linux-2.6.0');
const NO_RETRY = fx('run-patch/remove-truncate-retry-2.6.11.diff');
const RETRY = fx('run-patch/truncate-retry-2.6.11.diff');
const NO_RMB = fx('run-patch/drop-smp-rmb-2.6.11.diff');
const UNDER_LOCK = fx('run-patch/truncate-count-under-lock-2.6.11.diff');

let parser: CParser;
beforeAll(async () => {
  parser = await loadCParser();
});

function run(patch: string, tree: string, scenarios: string[], reverse = false): PatchRunReport {
  return runPatch(readFileSync(patch), patch, {
    parser,
    tree: directoryTree(tree),
    reverse,
    scenarios: scenarios.map((s) => loadScenarioFile(SC(s)).scenario!),
  });
}

const verdicts = (r: PatchRunReport, i: number): Record<string, string[]> =>
  Object.fromEntries(r.scenarios[i].comparison.invariants.map((row) => [row.invariant, row.explored!]));

describe('seed 004 (web-archive copy) on the nearest tree, 2.6.0', () => {
  let r: PatchRunReport;
  beforeAll(() => {
    r = run(SEED004, T260, ['dfs-race', 'anon-fault']);
  }, 240_000);

  it('one column per version next to the base; memory.c hunks applied whitespace-blind, the base marked reconstructed', () => {
    expect(r.columns.map((c) => c.label)).toEqual(['base', '2.5.70-mm2', '2.5.70-mm3']);
    expect(r.columns.map((c) => c.rules)).toEqual(['2.5.70', 'install_new_page', 'install_new_page-hch']);
    const mm2 = r.versions[0].files.find((f) => f.path === 'mm/memory.c')!;
    expect(mm2.hunks[0]).toMatchObject({ status: 'applied', match: 'whitespace', functions: ['do_no_page', 'install_new_page'] });
    expect(r.versions[0].reconstructed).toBe(true);
    const dnp = r.versions[0].functions.find((f) => f.name === 'do_no_page')!;
    expect(dnp.omitted.map((o) => o.why)).toContain(dnp.omitted[0].why);
    expect(dnp.omitted[0].why).toMatch(/truncate_count/);
    expect(r.columns[1].interpreted.map((f) => f.name)).toEqual(expect.arrayContaining(['do_no_page', 'install_new_page']));
    // -mm3's do_anonymous_page hunk has no base in the excerpt: it fails and says so
    const h = r.versions[1].files.find((f) => f.path === 'mm/memory.c')!.hunks[0];
    expect(h.status).toBe('failed');
    expect(h.reason).toMatch(/has no definition of do_anonymous_page/);
    expect(r.versions[0].files.find((f) => f.path === 'mm/filemap.c')?.status).toBe('no-base');
  });

  it('the verdicts of the hand-written variants, now from the patch text', () => {
    const like: Record<string, string> = { base: '2.5.70', '2.5.70-mm2': 'install_new_page', '2.5.70-mm3': 'install_new_page-hch' };
    for (const [i, name] of ['dfs-race', 'anon-fault'].entries()) {
      const s = loadScenarioFile(SC(name)).scenario!;
      const hand = compareScenario(s, { columns: Object.values(like) }).comparison;
      const hv = Object.fromEntries(hand.invariants.map((row) => [row.invariant, row.explored!]));
      const mine = verdicts(r, i);
      expect(Object.keys(mine).sort()).toEqual(Object.keys(hv).sort());
      for (const inv of Object.keys(hv)) expect(mine[inv]).toEqual(hv[inv]);
    }
    expect(verdicts(r, 0)['stale-pte']).toEqual(['violated', 'held', 'held']);
    expect(verdicts(r, 1).oops).toEqual(['held', 'held', 'violated']);
    // interpreted code ran on those runs, the filesystem's ->nopage stayed TypeScript
    expect(r.scenarios[0].interpretedEntered['2.5.70-mm2']).toContain('install_new_page');
    expect(r.scenarios[0].typescript['2.5.70-mm2']).toContain('dfs_nopage');
  }, 240_000);

  it('what the run cannot see: files outside the tree and changed functions no scenario enters', () => {
    expect(r.unseen.outside.some((o) => o.file === 'drivers/scsi/sg.c' && /has no drivers\/scsi\/sg.c/.test(o.why))).toBe(true);
    expect(r.unseen.notEntered).toContain('do_file_page');
  });
});

describe('the truncate_count fix and its mirror on 2.6.11', () => {
  it("McCracken's patch does not apply to 2.6.11: each hunk shows the context that differs", async () => {
    const html = join(mkdtempSync(join(tmpdir(), 'mmx-run-patch-')), 'report.html');
    const o = await mmx('run-patch', MCCRACKEN, '--tree', T2611, SC('truncate-race'), '--no-explore', '--html', html);
    expect(o.code).toBe(1);
    expect(o.out).toMatch(/FAILED {3}hunk #1 @@ -1402,11 \+1402,11 @@ .* in do_no_page: \d+ of 11 pre-image lines differ/);
    expect(o.out).toContain('patch `\tmapping = vma->vm_file->f_dentry->d_inode->i_mapping;`');
    expect(o.out).toContain('base  `\t\tmapping = vma->vm_file->f_mapping;`');
    expect(o.out).toMatch(/\[patched\] do_no_page stays TypeScript: hunk 1, 2 of mm\/memory.c did not apply/);
    // why, precisely: the tree is later than the patch's and changed do_no_page; what an honest base needs
    expect(o.out).toMatch(
      /FAILED {3}hunk #2 .*differ from the base at its closest place \(line \d+\); the tree is 2\.6\.11, later than the patch's 2\.5\.73-mm1: do_no_page changed after the patch was made/,
    );
    expect(o.out).toContain(
      "An honest base needs a 2.5.73-mm1 tree (--tree), or --base-from-preimage to rebuild it from the hunks' own pre-image where their outer context lines are found; on 2.6.11, --reverse a patch written against it",
    );
    // the comparison does not answer the question, and says so instead of "no difference"
    expect(o.out).toMatch(/truncate-race.mmscenario.yaml: not answered: a changed function it enters did not apply or does not compile/);
    expect(o.out).not.toMatch(/: no difference \(/);
    expect(o.out).not.toContain('nothing: every change is in an interpreted function');
    expect(o.out).toMatch(
      /do_no_page \(2\.5\.73-mm1\): hunk 1, 2 of mm\/memory.c did not apply to .*: patched runs do_no_page as TypeScript/,
    );
    // the HTML report has the per-hunk part, escaped
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<h2>Hunks</h2>');
    expect(page).toContain('patch <code>\tmapping = vma-&gt;vm_file-&gt;f_dentry-&gt;d_inode-&gt;i_mapping;</code>');
    expect(page).not.toContain('vma->vm_file->f_dentry');
  }, 120_000);

  it('on 2.6.0, the nearest tree, it fails too: the truncate_count lines changed after 2.5.73-mm1 in ways no named rule takes out', () => {
    const r = run(MCCRACKEN, T260, ['truncate-race']);
    const hunks = r.versions[0].files[0].hunks;
    expect(hunks.map((h) => h.status)).toEqual(['failed', 'failed']);
    for (const h of hunks)
      expect(h.reason).toMatch(
        /the tree is 2\.6\.0, later than the patch's 2\.5\.73-mm1: do_no_page changed after the patch was made.*so its text is no 2\.5\.73-mm1 base/,
      );
    // what differs is shown: 2.6.0 reads truncate_count under `if (vma->vm_file)`, ordered by smp_rmb()
    expect(hunks[0].mismatch!.map((m) => m.got.trim())).toEqual(expect.arrayContaining(['if (vma->vm_file) {']));
    expect(r.scenarios[0].verdict).toBe('not answered: a changed function it enters did not apply or does not compile');
    expect(r.unseen.notApplied).toEqual([expect.objectContaining({ name: 'do_no_page', hunks: [1, 2] })]);
  }, 120_000);

  it("--base-from-preimage: a 2.5.73-mm1 base rebuilt from 2.6.0 and the hunks' own pre-image; both columns run it interpreted and neither races", () => {
    const r = runPatch(readFileSync(MCCRACKEN), MCCRACKEN, {
      parser,
      tree: directoryTree(T260),
      preimageBase: true,
      scenarios: [loadScenarioFile(SC('truncate-race')).scenario!],
    });
    expect(r.versions[0].files[0].hunks.map((h) => [h.status, h.match])).toEqual([
      ['applied', 'exact'],
      ['applied', 'exact'],
    ]);
    const dnp = r.versions[0].functions.find((f) => f.name === 'do_no_page')!;
    expect(dnp.reconstructed).toBe(true);
    expect(dnp.omitted.map((o) => o.why)).toEqual([
      expect.stringMatching(/lines 31-44 \(2\.6\.0\) stand replaced by hunk #1's own pre-image \(2\.5\.73-mm1\)/),
      expect.stringMatching(/stand replaced by hunk #2's own pre-image .* `\* retry getting the page\.` and `goto retry;`/),
    ]);
    // the base is the patch's pre-image where the hunks are: the sample after the retry label, after the unlock
    expect(dnp.base!.text).toMatch(
      /\tspin_unlock\(&mm->page_table_lock\);\n\n\tmapping = vma->vm_file->f_dentry->d_inode->i_mapping;\nretry:\n\tsequence = atomic_read/,
    );
    expect(dnp.patched!.text).toMatch(
      /\tsequence = atomic_read\(&mapping->truncate_count\);\n\tspin_unlock\(&mm->page_table_lock\);\nretry:/,
    );
    expect(r.columns.map((c) => [c.era, c.interpreted.some((f) => f.name === 'do_no_page')])).toEqual([
      ['2.5.73-mm1', true],
      ['2.5.73-mm1', true],
    ]);
    const c = r.scenarios[0].comparison;
    expect(c.runs.map((x) => [x.exploration?.complete, x.exploration?.violations.length])).toEqual([
      [true, 0],
      [true, 0],
    ]);
    expect(r.scenarios[0].interpretedEntered.base).toContain('do_no_page');
    expect(r.scenarios[0].verdict).toBe('no difference observable under sequential consistency');
    expect(r.unseen.notObservable.map((x) => x.note)).toEqual([
      expect.stringMatching(
        /^do_no_page: the change only moves or repeats statements it already has \(across spin_unlock\(&mm->page_table_lock\)\)/,
      ),
    ]);
  }, 120_000);

  it("McCracken's change itself, written against 2.6.11 (the sample moves before the unlock): both columns complete and race-free", () => {
    // what an honest 2.5.73-mm1 base would show too: the move orders the read for weaker memory
    // models; under the engine's sequential consistency every interleaving is the same either way
    const r = run(UNDER_LOCK, T2611, ['truncate-race']);
    expect(r.versions[0].files[0].hunks[0]).toMatchObject({ status: 'applied', match: 'exact', functions: ['do_no_page'] });
    expect(r.columns.map((c) => c.interpreted.some((f) => f.name === 'do_no_page'))).toEqual([true, true]);
    // the TypeScript rest of the kernel is 2.6.11's: object rmap, i_mmap under the i_mmap_lock spinlock
    expect(r.columns.map((c) => c.rules)).toEqual(['2.6.11', '2.6.11']);
    const c = r.scenarios[0].comparison;
    for (const run of c.runs) {
      const locks = Object.values(run.lockOps).flatMap((ops) => Object.keys(ops));
      expect(locks).toContain('spin_lock(i_mmap_lock)');
      expect(locks.filter((l) => l.includes('i_shared_sem'))).toEqual([]);
    }
    expect(c.runs.map((x) => x.exploration?.complete)).toEqual([true, true]);
    expect(c.runs.map((x) => x.exploration!.violations.length)).toEqual([0, 0]);
    expect(r.scenarios[0].interpretedEntered.patched).toContain('do_no_page');
    expect(r.scenarios[0].verdict).toBe('no difference observable under sequential consistency');
    expect(r.unseen.notObservable.map((x) => x.note)).toEqual([
      expect.stringMatching(
        /^do_no_page: the change only moves or repeats statements it already has \(across spin_unlock\(&mm->page_table_lock\)\)/,
      ),
    ]);
  }, 120_000);

  it('--reverse of the retry hunks on 2.6.11, which contains them: the base races, the tree does not', () => {
    const r = run(RETRY, T2611, ['truncate-race'], true);
    expect(r.versions[0].files[0].hunks[0]).toMatchObject({ status: 'applied', match: 'exact', functions: ['do_no_page'] });
    expect(verdicts(r, 0)['stale-pte']).toEqual(['violated', 'held']);
  }, 120_000);

  it('removing the retry gives stale-pte in patched with a counterexample that replays; --reverse on the patched tree mirrors it', async () => {
    const r = run(NO_RETRY, T2611, ['truncate-race']);
    expect(verdicts(r, 0)['stale-pte']).toEqual(['held', 'violated']);
    const cx = r.scenarios[0].comparison.runs[1].exploration!.violations.find((v) => v.invariant === 'stale-pte')!;
    const replay = await mmx(
      'run-patch',
      NO_RETRY,
      '--tree',
      T2611,
      SC('truncate-race'),
      '--schedule',
      cx.schedule.join(','),
      '--no-explore',
      '--json',
    );
    const j = JSON.parse(replay.out) as PatchRunReport;
    expect(j.scenarios[0].comparison.runs.map((x) => x.violations.some((v) => v.invariant === 'stale-pte'))).toEqual([false, true]);
    // the patched tree: 2.6.11 with the patch in it; reversed, the patch text gives the base back
    const dir = mkdtempSync(join(tmpdir(), 'mmx-run-patch-'));
    const tree = join(dir, 'linux-2.6.11');
    mkdirSync(join(tree, 'mm'), { recursive: true });
    writeFileSync(
      join(tree, 'mm/memory.c'),
      readFileSync(join(T2611, 'mm/memory.c'), 'utf8').replace(
        /\tif \(mapping && unlikely\(sequence != mapping->truncate_count\)\) \{\n[^}]*\}\n/,
        '',
      ),
    );
    const m = run(NO_RETRY, tree, ['truncate-race'], true);
    expect(m.versions[0].files[0].hunks[0].status).toBe('applied');
    expect(verdicts(m, 0)['stale-pte']).toEqual(['held', 'violated']);
    expect(m.versions[0].functions[0].base!.text).toBe(r.versions[0].functions[0].base!.text);
    expect(m.versions[0].functions[0].patched!.text).toBe(r.versions[0].functions[0].patched!.text);
    // and reversing it on the pristine tree, which does not contain it, fails
    const wrong = await mmx('run-patch', NO_RETRY, '--tree', T2611, '--reverse', SC('truncate-race'), '--no-explore');
    expect(wrong.code).toBe(1);
    expect(wrong.out).toMatch(/FAILED/);
  }, 240_000);
});

describe('changes the engine cannot observe', () => {
  it('a barrier-only patch: "no difference observable under sequential consistency", never a plain "no difference"', async () => {
    const o = await mmx('run-patch', NO_RMB, '--tree', T2611, SC('truncate-race'));
    expect(o.code).toBe(0);
    expect(o.out).toMatch(/truncate-race.mmscenario.yaml: no difference observable under sequential consistency/);
    expect(o.out).toMatch(/do_no_page: the change is only barriers or atomicity/);
    expect(o.out).not.toMatch(/: no difference \(/);
  }, 120_000);

  it('reordersOnly: a move across a lock is an ordering change; a new or dropped statement is not', () => {
    const base =
      'spin_unlock(&mm->page_table_lock);\n\tseq = atomic_read(&m->c);\nretry:\n\tp = nopage();\n\tif (seq != m->c) { goto retry; }';
    const moved =
      'seq = atomic_read(&m->c);\n\tspin_unlock(&mm->page_table_lock);\nretry:\n\tp = nopage();\n\tif (seq != m->c) { seq = m->c; goto retry; }';
    expect(reordersOnly(base, moved)).toEqual(['spin_unlock(&mm->page_table_lock)']);
    // the retry dropped: a real change, for the interleavings to judge
    expect(reordersOnly(base, base.replace('\n\tif (seq != m->c) { goto retry; }', ''))).toBeUndefined();
    expect(reordersOnly(base, base.replace('nopage()', 'nopage2()'))).toBeUndefined();
    expect(reordersOnly(base, base)).toBeUndefined();
  });

  it('underSequentialConsistency keeps real changes apart', () => {
    expect(underSequentialConsistency('x = atomic_read(&m->c);\n\tsmp_rmb(); /* why */')).toBe(underSequentialConsistency('x = m->c;'));
    expect(underSequentialConsistency('atomic_t n;')).toBe(underSequentialConsistency('int n;'));
    expect(underSequentialConsistency('if (a) goto retry;')).not.toBe(underSequentialConsistency(''));
  });
});

describe('scenarios by default: the functions each bundled scenario enters', () => {
  it('derives kernel function -> scenarios from the runs', () => {
    const t = functionScenarioTable(join(root, 'scenarios'));
    const names = (fn: string): string[] => [...(t.get(fn) ?? [])].map((f) => f.replace(/.*\//, '')).sort();
    expect(names('do_no_page')).toEqual(expect.arrayContaining(['dfs-race.mmscenario.yaml', 'truncate-race.mmscenario.yaml']));
    expect(names('install_new_page')).toContain('dfs-race.mmscenario.yaml');
    // a scenario that faults only anonymous memory never enters do_no_page's file half
    expect(names('install_new_page')).not.toContain('anon-fault.mmscenario.yaml');
    expect(names('walk_page_range').length + names('get_user_pages').length).toBeGreaterThan(0);
    expect(names('get_user_pages')).not.toContain('truncate-race.mmscenario.yaml');
  }, 120_000);

  it('bad input: no tree, unreadable patch, a patch without a diff', async () => {
    const env = process.env.MMX_KERNEL_TREE;
    delete process.env.MMX_KERNEL_TREE;
    const a = await mmx('run-patch', NO_RMB);
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/no kernel tree: give --tree DIR/);
    if (env !== undefined) process.env.MMX_KERNEL_TREE = env;
    expect((await mmx('run-patch', join(root, 'nope.diff'), '--tree', T2611)).err).toMatch(/cannot read .*nope\.diff/);
    const dir = mkdtempSync(join(tmpdir(), 'mmx-run-patch-'));
    writeFileSync(join(dir, 'empty.diff'), 'just words\n');
    const c = await mmx('run-patch', join(dir, 'empty.diff'), '--tree', T2611);
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/no diff found/);
  });
});
