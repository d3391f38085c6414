// An edited function saved as a patch: the diff applies back to the tree and gives the edit.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { readDiffs } from '../../../src/patch/diffReader';
import { applyHunks } from '../../../src/patch/hunkApply';
import { splitLines } from '../../../src/patch/mail';
import { unifiedDiff } from '../../../src/patch/unifiedDiff';

const MEMORY = readFileSync(join(__dirname, '../../fixtures/linux-2.6.11/mm/memory.c'), 'utf8');

describe('unifiedDiff', () => {
  it('equal texts give no diff', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', { oldPath: 'a/x.c', newPath: 'b/x.c' })).toBe('');
  });

  it('an edit inside a function of mm/memory.c round-trips through the hunk applier', () => {
    const lines = MEMORY.split('\n');
    const start = lines.findIndex((l) => l.startsWith('do_no_page(')) - 1;
    const end = lines.indexOf('}', start);
    const fn = lines.slice(start, end + 1).join('\n') + '\n';
    const edited = fn
      .replace(/\tif \(mapping && unlikely\(sequence != mapping->truncate_count\)\) \{\n[^}]*\}\n/, '')
      .replace('int anon = 0;', 'int anon = 0;\n\tint retries = 0;');
    expect(edited).not.toBe(fn);
    const diff = unifiedDiff(fn, edited, { oldPath: 'a/mm/memory.c', newPath: 'b/mm/memory.c', firstLine: start + 1 });
    expect(diff).toMatch(/^--- a\/mm\/memory.c\n\+\+\+ b\/mm\/memory.c\n@@ -\d+,\d+ \+\d+,\d+ @@\n/);
    const d = splitLines(diff);
    const files = readDiffs(
      d,
      d.map((_, i) => i + 1),
      'edit.diff',
      [],
    ).files;
    expect(files[0].hunks.length).toBe(2);
    const r = applyHunks(lines, files[0].hunks, { maxFuzz: 0 });
    expect(r.outcomes.map((o) => [o.status, o.offset])).toEqual([
      ['applied', 0],
      ['applied', 0],
    ]);
    const out = r.lines.map((l) => l.text).join('\n');
    expect(out).toBe(MEMORY.replace(fn, edited));
  });
});
