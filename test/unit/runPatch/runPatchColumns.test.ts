// What the editor needs of a run-patch report in its own process: which hunks the engine can run
// (the CodeLens, read from the patch alone), and an interpreted column rebuilt from the report's C
// that replays the run's schedule to the same page tables (the page-table view).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { directoryTree } from '../../../src/cli/commands/runPatch';
import { runPatch, type PatchRunReport } from '../../../src/cli/patchRun';
import { interpretableFunctions, rebuildColumnVariant } from '../../../src/kernelc/index';
import { patchVersions } from '../../../src/patch/analyze';
import { loadCParser, type CParser } from '../../../src/patch/cParser';
import { hunkFunctions } from '../../../src/patch/hunkFunctions';
import { runSchedule } from '../../../src/scenario/explorer';
import { loadScenarioFile } from '../../../src/scenario/library';
import { machineFactory } from '../../../src/scenario/runner';

const root = join(__dirname, '../../..');
const fx = (p: string): string => join(root, 'test/fixtures', p);
const SEED004 = join(root, 'samples/install_new_page-thread.txt');
const MCCRACKEN = fx('patch/corpus/2003-06-27_mccracken_truncate-fix-no-race_mime-attach.eml');

const fnsOf = (file: string, path: string): Record<string, string[][]> =>
  Object.fromEntries(
    patchVersions(readFileSync(file, 'utf8'), file).flatMap((v) =>
      v.files.filter((f) => f.path === path).map((f) => [v.version, hunkFunctions(f)] as const),
    ),
  );

describe('the functions of each hunk, from the patch alone', () => {
  it('seed 004 (no diff -p sections): definitions in the hunks, and the function a hunk leaves open', () => {
    const m = fnsOf(SEED004, 'mm/memory.c');
    expect(m['2.5.70-mm2']).toEqual([['do_no_page', 'install_new_page']]);
    expect(m['2.5.70-mm3'][0]).toEqual(['do_anonymous_page']);
    expect(m['2.5.70-mm3'].flat()).toContain('install_new_page');
    // a hunk of EXPORT_SYMBOL lines is in no function
    expect(fnsOf(SEED004, 'kernel/ksyms.c')['2.5.70-mm2']).toEqual([[]]);
  });

  it("McCracken's hunks: the diff -p section, a label section inherits the function left open", () => {
    expect(fnsOf(MCCRACKEN, 'mm/memory.c')['2.5.73-mm1']).toEqual([['do_no_page'], ['do_no_page']]);
  });

  it('the functions the engine runs interpreted, per era', () => {
    expect(interpretableFunctions('2.5.70-mm2')).toContain('install_new_page');
    expect(interpretableFunctions('2.5.73-mm1')).not.toContain('install_new_page');
    expect(interpretableFunctions('2.6.11')).toEqual(expect.arrayContaining(['do_no_page', 'do_anonymous_page', 'handle_pte_fault']));
    expect(interpretableFunctions('2.6.11')).not.toContain('filemap_nopage');
  });
});

describe('an interpreted column rebuilt from the report replays to the same page tables', () => {
  let parser: CParser;
  let r: PatchRunReport;
  beforeAll(async () => {
    parser = await loadCParser();
    r = runPatch(readFileSync(SEED004), SEED004, {
      parser,
      tree: directoryTree(fx('linux-2.6.0')),
      scenarios: [loadScenarioFile(join(root, 'scenarios/dfs-race.mmscenario.yaml')).scenario!],
    });
  }, 240_000);

  it('each column, compiled again under another name, ends its run with the snapshot the report has', () => {
    const s = loadScenarioFile(join(root, 'scenarios/dfs-race.mmscenario.yaml')).scenario!;
    const c = r.scenarios[0].comparison;
    for (const [i, col] of r.columns.entries()) {
      const name = `${col.variant}-rebuilt`;
      expect(
        rebuildColumnVariant(parser, {
          variant: name,
          era: col.era,
          rules: col.rules,
          description: 'test',
          sources: col.sources,
          names: col.interpreted.map((f) => f.name),
        }),
      ).toBe(true);
      const run = c.runs[i];
      const m = runSchedule(machineFactory(s, { ...run.variants, fault: name }, true), {
        schedule: run.schedule,
        lenient: true,
        maxSteps: run.schedule.length,
      }).machine;
      expect(m.snapshot()).toEqual(run.snapshot);
      // the interpreted C ran: its trace events point into the column's file
      expect(m.trace.some((e) => e.src?.startsWith(`${col.label}/mm/memory.c:`))).toBe(true);
    }
  }, 120_000);

  it('a column whose C no longer compiles says so', () => {
    const col = r.columns[1];
    expect(() =>
      rebuildColumnVariant(parser, {
        variant: 'broken-column',
        era: col.era,
        rules: col.rules,
        description: 'test',
        sources: col.sources.map((x) => ({
          ...x,
          text: x.text.replace(/install_new_page\(struct mm_struct \*mm/, 'install_new_page(struct nosuch *mm'),
        })),
        names: col.interpreted.map((f) => f.name),
      }),
    ).toThrow(/broken-column: the column's C does not compile again/);
  });
});
