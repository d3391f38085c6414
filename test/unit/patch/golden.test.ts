// Golden outputs of the patch analyser: the whole Analysis of every seed, corpus mail and constructed
// mail, and the C-source findings (with their quick fixes) of every source file against the patches
// that change its APIs. A difference fails the test; `npm run golden:update` rewrites the files, and
// the diff is reviewed in the commit.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Analysis } from '../../../src/patch/analysisModel';
import { analyzePatch } from '../../../src/patch/analyze';
import { loadCParser, type CParser } from '../../../src/patch/cParser';
import { scanCSource } from '../../../src/patch/sourceScanner';
import { FIXTURES, fixture, fixtureText } from './fixtures';

const UPDATE = process.env.UPDATE_GOLDEN === '1';
const GOLDEN = join(FIXTURES, 'golden');
const inputs = ['seeds', 'corpus', 'mails'].flatMap((d) => readdirSync(join(FIXTURES, d)).filter((f) => !f.endsWith('.md')).sort().map((f) => `${d}/${f}`));

/** The golden file of an input, and whether it matches (or, when updating, was written). */
function check(rel: string, value: unknown): void {
  const path = join(GOLDEN, rel + '.json');
  const text = JSON.stringify(value, null, 2) + '\n';
  if (UPDATE || !existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    if (!existsSync(path) || readFileSync(path, 'utf8') !== text) writeFileSync(path, text);
    if (!UPDATE) throw new Error(`${path}: golden file was missing; written, review it and run again`);
    return;
  }
  expect(JSON.parse(text), `${rel}: differs from ${path} (npm run golden:update rewrites it)`).toEqual(JSON.parse(readFileSync(path, 'utf8')));
}

let parser: CParser;
const analyses = new Map<string, Analysis>();
beforeAll(async () => {
  parser = await loadCParser();
  for (const rel of inputs) analyses.set(rel, await analyzePatch(fixture(rel), rel, { parser }));
});

describe('golden analyses', () => {
  it.each(inputs)('%s', (rel) => {
    check(rel, analyses.get(rel));
  });
});

// each C source against the analyses whose APIs it uses
const SCANS: [string, string][] = [
  ['sources/ncpfs-mmap.c', 'seeds/004_de1f5842a85ca452.txt'],
  ['sources/ncpfs-mmap-2.5.70-form.c', 'seeds/004_de1f5842a85ca452.txt'],
  ['sources/constructed-pinned-ctx.c', 'corpus/2019-08-04_hubbard_v2-17-34_vfio-convert-put_user_page_3arg.eml'],
  ['sources/video-buf.c', 'seeds/004_de1f5842a85ca452.txt'],
  ['sources/memory.c', 'seeds/004_de1f5842a85ca452.txt'],
  ['sources/futex.c', 'corpus/2002-12-05_oeser_page-walk-api-2.5.50-mm1_sg-st-callers_mime-attach.eml'],
  ['sources/nfs-direct.c', 'corpus/2019-03-08_hubbard_v4-put_user_page-placeholder_git-send-email.eml'],
  ['sources/video-buf.c', 'corpus/2019-03-08_hubbard_v4-put_user_page-placeholder_git-send-email.eml'],
  ['sources/umem.c', 'corpus/2019-03-08_hubbard_v4-put_user_page-placeholder_git-send-email.eml'],
];

describe('golden C-source findings', () => {
  it.each(SCANS)('%s against %s', (src, patch) => {
    const name = `scan/${src.replace(/^sources\//, '')}--${patch.replace(/^\w+\//, '').slice(0, 40)}`;
    check(name, scanCSource(fixtureText(src), src, analyses.get(patch)!));
  });
});
