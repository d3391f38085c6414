// patch(1)-like application of hunks: exact, whitespace-blind, offset, fuzz, reverse, and a failed
// hunk explained by its context against the closest place in the base.
import { describe, expect, it } from 'vitest';

import { readDiffs } from '../../../src/patch/diffReader';
import { applyHunks } from '../../../src/patch/hunkApply';
import { splitLines } from '../../../src/patch/mail';

const BASE = ['int f(void)', '{', '\tint a = 1;', '\tint b = 2;', '\treturn a + b;', '}', '', 'int g(void)', '{', '\treturn 0;', '}'];

function hunks(diff: string) {
  const lines = splitLines(diff);
  return readDiffs(
    lines,
    lines.map((_, i) => i + 1),
    'test.diff',
    [],
  ).files[0].hunks;
}

const PATCH = `--- a/x.c
+++ b/x.c
@@ -3,3 +3,3 @@
 \tint a = 1;
-\tint b = 2;
+\tint b = 3;
 \treturn a + b;
`;

describe('applyHunks', () => {
  it('applies a hunk exactly where its header says', () => {
    const r = applyHunks(BASE, hunks(PATCH));
    expect(r.outcomes[0]).toMatchObject({ status: 'applied', match: 'exact', offset: 0, fuzz: 0, at: 3, removed: [4] });
    expect(r.lines.map((l) => l.text)[3]).toBe('\tint b = 3;');
    expect(r.lines[3]).toMatchObject({ from: 'patch', hunk: 1 });
    expect(r.lines[2]).toMatchObject({ from: 'base', no: 3 });
  });

  it('finds the hunk at an offset', () => {
    const r = applyHunks(['/* a */', '/* b */', ...BASE], hunks(PATCH));
    expect(r.outcomes[0]).toMatchObject({ status: 'applied', offset: 2, at: 5 });
  });

  it('matches whitespace-blind when the copy lost its indentation, keeping the base text of context lines', () => {
    const web = PATCH.replace(/\\t/g, '').replace(/\t/g, '');
    const r = applyHunks(BASE, hunks(web));
    expect(r.outcomes[0]).toMatchObject({ status: 'applied', match: 'whitespace' });
    expect(r.lines[2].text).toBe('\tint a = 1;');
  });

  it('applies with fuzz when outer context differs, and not without it', () => {
    const changed = BASE.slice();
    changed[4] = '\treturn a * b;';
    expect(applyHunks(changed, hunks(PATCH), { maxFuzz: 0 }).outcomes[0].status).toBe('failed');
    const r = applyHunks(changed, hunks(PATCH));
    expect(r.outcomes[0]).toMatchObject({ status: 'applied', fuzz: 1 });
    expect(r.lines.map((l) => l.text)).toContain('\treturn a * b;');
  });

  it('a failed hunk shows its pre-image against the closest place of the base', () => {
    const changed = BASE.slice();
    changed[3] = '\tlong b = 2;';
    const r = applyHunks(changed, hunks(PATCH));
    expect(r.outcomes[0].status).toBe('failed');
    expect(r.outcomes[0].mismatch).toEqual([{ line: 4, want: '\tint b = 2;', got: '\tlong b = 2;' }]);
    expect(r.outcomes[0].reason).toMatch(/1 of 3 pre-image lines differ .*\(line 3\)/);
    expect(r.lines.map((l) => l.text)).toEqual(changed);
  });

  it('reverse takes the post-image out of a base that holds it', () => {
    const patched = applyHunks(BASE, hunks(PATCH)).lines.map((l) => l.text);
    const back = applyHunks(patched, hunks(PATCH), { reverse: true });
    expect(back.outcomes[0].status).toBe('applied');
    expect(back.lines.map((l) => l.text)).toEqual(BASE);
    expect(applyHunks(BASE, hunks(PATCH), { reverse: true }).outcomes[0].status).toBe('failed');
  });
});
