// run-patch reads its patch once: the versions it applies and the analysis it reports come from
// one decode and one read of the messages and diffs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { beforeAll, describe, expect, it, vi } from 'vitest';

import { directoryTree } from '../../../src/cli/commands/runPatch';
import { runPatch } from '../../../src/cli/patchRun';
import { loadCParser, type CParser } from '../../../src/patch/cParser';
import { loadScenarioFile } from '../../../src/scenario/library';

const reads = vi.hoisted(() => ({ n: 0 }));
vi.mock('../../../src/patch/mail', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/patch/mail')>();
  return {
    ...real,
    readMessages: (...a: Parameters<typeof real.readMessages>) => {
      reads.n++;
      return real.readMessages(...a);
    },
  };
});

let parser: CParser;
beforeAll(async () => {
  parser = await loadCParser();
});

const fx = (p: string): string => join(__dirname, '../../../test/fixtures', p);

describe('run-patch input', () => {
  it('decodes and reads the patch once for applying and analysing', () => {
    const patch = fx('run-patch/remove-truncate-retry-2.6.11.diff');
    reads.n = 0;
    const r = runPatch(readFileSync(patch), patch, {
      parser,
      tree: directoryTree(fx('linux-2.6.11')),
      scenarios: [loadScenarioFile(join(__dirname, '../../../scenarios/anon-fault.mmscenario.yaml')).scenario!],
      explore: false,
    });
    expect(r.versions[0].functions.map((f) => f.name)).toContain('do_no_page');
    expect(reads.n).toBe(1);
  });
});
