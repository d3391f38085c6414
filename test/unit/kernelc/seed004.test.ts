// Seed 004 from the patch text: the -mm2 and -mm3 versions of the install_new_page patch, their
// functions taken from the hunks where a hunk holds the whole definition and otherwise rebuilt
// from the nearest readable tree (2.6.0's mm/memory.c, without McCracken's later truncate_count
// lines) and marked reconstructed, run interpreted against the hand-written variants' verdicts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { interpretedVariant } from '../../../src/engine/sim/interpreted';
import { linux2570mm2, linux2570mm3 } from '../../../src/kernelc/eras/linux-2.5.70-mm';
import { compileWith, registerKernelCVariant } from '../../../src/kernelc/index';
import { asSource, patchedFunctions, type BuiltFunction } from '../../../src/kernelc/reconstruct';
import { readDiffs, type FileDiff } from '../../../src/patch/diffReader';
import { splitLines } from '../../../src/patch/mail';
import { checkColumn } from '../../../src/scenario/runner';

import { parser, ROOT, scenarioWith } from './helpers';

const SEED = readFileSync(join(ROOT, 'samples/install_new_page-thread.txt'), 'utf8');
const BASE = { file: 'linux-2.6.0/mm/memory.c', text: readFileSync(join(ROOT, 'test/fixtures/linux-2.6.0/mm/memory.c'), 'utf8') };
const RULES = [{ match: /truncate_count/, why: "mapping->truncate_count (McCracken's fix, 2.5.73-mm1) is later than 2.5.70-mm" }];

function memoryDiffs(): FileDiff[] {
  const lines = splitLines(SEED);
  return readDiffs(
    lines,
    lines.map((_, i) => i + 1),
    'seed004',
    [],
  ).files.filter((f) => f.path === 'mm/memory.c');
}

const versions: Record<string, { built: BuiltFunction[]; like: string }> = {};

beforeAll(async () => {
  const [mm2, mm3] = memoryDiffs();
  expect(mm2.header).toContain('linux-2.5.70-mm2/mm/memory.c');
  expect(mm3.header).toContain('linux-2.5.70-mm3/mm/memory.c');
  const p = await parser();
  const specs = [
    { name: 'c-seed004-mm2', diff: mm2, era: linux2570mm2, fns: ['do_no_page', 'install_new_page'], like: 'install_new_page' },
    { name: 'c-seed004-mm3', diff: mm3, era: linux2570mm3, fns: ['handle_pte_fault', 'install_new_page'], like: 'install_new_page-hch' },
  ];
  for (const s of specs) {
    const built = patchedFunctions(s.diff, 'seed004', BASE, s.fns, RULES);
    versions[s.name] = { built, like: s.like };
    const program = compileWith(p, s.era, [asSource(`seed004${s.name.slice(-4)}/mm/memory.c`, built)], s.fns);
    if (!interpretedVariant(s.name))
      registerKernelCVariant({
        name: s.name,
        base: s.like,
        description: `seed 004 ${s.name.slice(-3)} from the patch text, interpreted`,
        program,
      });
  }
});

describe('seed 004 functions from the patch text', () => {
  it("-mm2 do_no_page is the hunk's post-image; install_new_page is rebuilt and marked, with its origins", () => {
    const [dnp, inp] = versions['c-seed004-mm2'].built;
    expect(dnp).toMatchObject({ name: 'do_no_page', reconstructed: false });
    expect(dnp.origins.every((o) => o.from === 'patch')).toBe(true);
    expect(dnp.text).toContain('return vma->vm_ops->nopage(mm, vma, address & PAGE_MASK, write_access, pmd);');
    expect(inp.reconstructed).toBe(true);
    expect(inp.origins.map((o) => o.from)).toEqual(['patch', 'base', 'base']);
    expect(inp.origins[0]).toMatchObject({ file: 'seed004', start: 1 });
    expect(inp.text).not.toContain('truncate_count');
    expect(inp.omitted).toEqual([{ file: BASE.file, start: 70, end: 82, why: RULES[0].why }]);
  });

  it("-mm3 handle_pte_fault is 2.6.0's with the hunk applied: ->nopage called directly", () => {
    const [hpf] = versions['c-seed004-mm3'].built;
    expect(hpf.reconstructed).toBe(true);
    expect(hpf.origins.map((o) => o.from)).toEqual(['base', 'patch', 'base']);
    expect(hpf.text).toContain('return vma->vm_ops->nopage(mm, vma, address & PAGE_MASK, write_access, pte, pmd);');
    expect(hpf.text).not.toContain('do_no_page');
  });
});

describe.each(['c-seed004-mm2', 'c-seed004-mm3'])('%s interpreted', (name) => {
  it.each(['dfs-race', 'truncate-race', 'anon-fault'])(
    '%s: the verdicts and expectations of the hand-written column',
    (scenario) => {
      const like = versions[name].like;
      const s = scenarioWith(scenario, name, name, like);
      const ts = checkColumn(
        s,
        s.columns.find((c) => c.label === like)!,
        { explore: 'always' },
      );
      const c = checkColumn(
        s,
        s.columns.find((c) => c.label === name)!,
        { explore: 'always' },
      );
      expect(c.exploration!.complete).toBe(true);
      expect(c.exploration!.violations.map((v) => v.invariant).sort()).toEqual(ts.exploration!.violations.map((v) => v.invariant).sort());
      expect(c.expectations.filter((e) => !e.met)).toEqual([]);
      if (scenario === 'anon-fault' && name.endsWith('mm3')) {
        // the anonymous VMA has no vm_ops: handle_pte_fault's own line oopses
        const oops = c.exploration!.violations.find((v) => v.invariant === 'oops');
        expect(oops?.message).toMatch(
          /NULL pointer dereference in handle_pte_fault at seed004-mm3\/mm\/memory\.c:\d+: `vma->vm_ops->nopage`/,
        );
      }
    },
    120_000,
  );
});
