// Pinned outputs: `mmx compare --json` of every bundled scenario, `mmx analyze --json` of every
// fixture patch (seeds, corpus, constructed mails) and the C-source findings (with their quick fixes) of
// fixture sources against the patches whose APIs they use, in their golden form (test/golden/),
// compared line by line. A change shows as a
// unified diff; `npm run golden:update` rewrites the files, and the diff is reviewed in git.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

import { createTwoFilesPatch } from 'diff';
import { describe, expect, it } from 'vitest';

import { main } from '../../src/cli/cli';
import { analyzePatch } from '../../src/patch/analyze';
import { scanCSource } from '../../src/patch/sourceScanner';
import { goldenForm, goldenText } from '../golden/goldenForm';

import { patchFixturePath, SEED, sourcePath } from './patch/fixtures';

const root = join(__dirname, '../..');
const GOLDEN = join(root, 'test/golden');
const UPDATE = process.env.MMX_GOLDEN_UPDATE === '1';
const MAX_DIFF_LINES = 150;

interface Case {
  /** golden file, relative to test/golden */
  golden: string;
  argv: string[];
  /** an output computed in-process instead of through mmx (the C-source scans) */
  run?: () => Promise<unknown>;
}

const scenarios = readdirSync(join(root, 'scenarios'))
  .filter((f) => f.endsWith('.mmscenario.yaml'))
  .sort();
const patchDirs = ['seeds', 'corpus', 'mails'];
const patches = patchDirs.flatMap((d) =>
  readdirSync(join(root, 'test/fixtures/patch', d))
    .filter((f) => !f.endsWith('.md'))
    .map((f) => `${d}/${f}`)
    // seed 004 is the shipped sample (samples/), pinned under its seed name
    .concat(d === 'seeds' ? [SEED.s004] : [])
    .sort(),
);

// fixture C sources against the analyses whose APIs they use
const SCANS: [string, string][] = [
  ['ncpfs-mmap.c', 'seeds/004_de1f5842a85ca452.txt'],
  ['ncpfs-mmap-2.5.70-form.c', 'seeds/004_de1f5842a85ca452.txt'],
  ['video-buf.c', 'seeds/004_de1f5842a85ca452.txt'],
  ['memory.c', 'seeds/004_de1f5842a85ca452.txt'],
  ['futex.c', 'corpus/2002-12-05_oeser_page-walk-api-2.5.50-mm1_sg-st-callers_mime-attach.eml'],
  ['nfs-direct.c', 'corpus/2019-03-08_hubbard_v4-put_user_page-placeholder_git-send-email.eml'],
  ['video-buf.c', 'corpus/2019-03-08_hubbard_v4-put_user_page-placeholder_git-send-email.eml'],
  ['umem.c', 'corpus/2019-03-08_hubbard_v4-put_user_page-placeholder_git-send-email.eml'],
  ['constructed-pinned-ctx.c', 'corpus/2019-08-04_hubbard_v2-17-34_vfio-convert-put_user_page_3arg.eml'],
];
const scanCase = ([src, patch]: [string, string]): Case => {
  return {
    golden: `scan/${src}--${patch.replace(/^\w+\//, '').replace(/_.*$/, '')}.json`,
    argv: ['scan', sourcePath(src)],
    run: async () =>
      scanCSource(readFileSync(sourcePath(src), 'utf8'), src, await analyzePatch(readFileSync(patchFixturePath(patch)), patch)),
  };
};

const cases: Case[] = [
  ...scenarios.map((f) => ({
    golden: `compare/${f.replace(/\.mmscenario\.yaml$/, '')}.json`,
    argv: ['compare', join(root, 'scenarios', f), '--json'],
  })),
  ...patches.map((p) => ({ golden: `analyze/${p}.json`, argv: ['analyze', patchFixturePath(p), '--json'] })),
  ...SCANS.map(scanCase),
  ...['remove-truncate-retry-2.6.11', 'drop-smp-rmb-2.6.11'].map((p) => ({
    golden: `run-patch/${p}.json`,
    argv: [
      'run-patch',
      join(root, 'test/fixtures/run-patch', `${p}.diff`),
      '--tree',
      join(root, 'test/fixtures/linux-2.6.11'),
      join(root, 'scenarios/truncate-race.mmscenario.yaml'),
      '--json',
    ],
  })),
];

async function mmx(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s + '\n'), err: (s) => (err += s + '\n') });
  return { code, out, err };
}

/** the first MAX_DIFF_LINES lines of a unified diff, and how many more there are */
function readableDiff(file: string, expected: string, actual: string): string {
  const lines = createTwoFilesPatch(`${file} (golden)`, `${file} (now)`, expected, actual, undefined, undefined, { context: 3 }).split(
    '\n',
  );
  const more = lines.length - MAX_DIFF_LINES;
  return lines.slice(0, MAX_DIFF_LINES).join('\n') + (more > 0 ? `\n... ${more} more diff lines` : '');
}

describe('golden outputs', () => {
  it('the golden form leaves out times and makes repository paths relative', () => {
    const g = goldenForm(
      { scenario: `${root}/scenarios/x.yaml`, runs: [{ exploration: { timeMs: 3.1, schedules: 2 } }], firstViolationMs: null },
      root,
    );
    expect(g).toEqual({ scenario: 'scenarios/x.yaml', runs: [{ exploration: { schedules: 2 } }] });
    const big = { trace: Array.from({ length: 20 }, (_, i) => ({ step: i, fn: 'do_no_page' })), empty: [] };
    const text = goldenText(big);
    expect(JSON.parse(text)).toEqual(big);
    expect(text.split('\n')).toContain('    {"step":3,"fn":"do_no_page"},');
  });

  it('there is one case per bundled scenario and per fixture patch', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(7);
    expect(patches.length).toBeGreaterThanOrEqual(13);
  });

  for (const c of cases) {
    it(`${c.argv[0]} ${relative(root, c.argv[1])}`, async () => {
      let value: unknown;
      if (c.run) value = await c.run();
      else {
        const r = await mmx(c.argv);
        // seeds 000 and 002 are discussions without a diff, the snipped review quotes none: analysed all the same, exit 2
        if (r.code !== 0) expect(r.err).toMatch(/^mmx analyze: .*: no diff found\n$/);
        value = JSON.parse(r.out);
      }
      const text = goldenText(goldenForm(value, root));
      const file = join(GOLDEN, c.golden);
      if (UPDATE) {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, text);
        return;
      }
      expect(existsSync(file), `${c.golden} is missing: run npm run golden:update`).toBe(true);
      const expected = readFileSync(file, 'utf8');
      if (expected !== text)
        expect.fail(`${c.golden} differs from the output (npm run golden:update accepts it):\n${readableDiff(c.golden, expected, text)}`);
    }, 180_000);
  }

  it('no golden file is left without its case', () => {
    const wanted = new Set(cases.map((c) => c.golden));
    const stale: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.json') && !wanted.has(relative(GOLDEN, p))) stale.push(relative(GOLDEN, p));
      }
    };
    for (const d of ['compare', 'analyze', 'scan']) if (existsSync(join(GOLDEN, d))) walk(join(GOLDEN, d));
    if (UPDATE) for (const s of stale) rmSync(join(GOLDEN, s));
    else expect(stale, 'golden files of removed scenarios or fixtures').toEqual([]);
  });
});
