// C-file annotation benchmark: the work the extension does when a 10k-line C file is opened (scan it
// against an analysed patch and turn the findings into diagnostics) and when one line of it changes
// (only the edited function is rescanned). Each figure is a ratio against a baseline measured in the
// same run on the same text: a plain line scan (split into lines, test each for the patch's API names).
// Goal: a 10k-line file annotated in < 50 ms. Prints a table; the last line is one JSON object.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { DocumentScan } from '../src/extension/cFindings';
import { analyzePatch } from '../src/patch/analyze';
import { scanCSource } from '../src/patch/sourceScanner';

function repoRoot(): string {
  let d = __dirname;
  while (!existsSync(join(d, 'esbuild.config.mjs'))) {
    const up = dirname(d);
    if (up === d) throw new Error('repository root not found');
    d = up;
  }
  return d;
}

function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function best(runs: number, f: () => void): number {
  let b = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = now();
    f();
    b = Math.min(b, now() - t0);
  }
  return b;
}

const root = repoRoot();
const seed = readFileSync(join(root, 'samples/install_new_page-thread.txt'), 'utf8');
const analysis = await analyzePatch(seed, 'install_new_page-thread.txt');
const units = [join(root, 'samples/demo_nopage.c'), join(root, 'test/fixtures/patch/sources/video-buf.c')].map((f) =>
  readFileSync(f, 'utf8'),
);

// a 10k-line file: the two drivers again and again, each copy's functions made distinct (a comment in
// every body) so the per-function cache cannot serve one copy's results for another
const parts: string[] = [];
let lines = 0;
for (let copy = 0; lines < 10_000; copy++) {
  for (const u of units) {
    const text = u.replace(/\n\{\n/g, `\n{\n\t/* copy ${copy} */\n`);
    parts.push(text);
    lines += text.split('\n').length;
  }
}
const text = parts.join('\n');
const lineCount = text.split('\n').length;

const settings = { cImplementations: true, cCallers: true, cPinnedReleases: true };
const names = /nopage|get_user_pages|put_page|page_cache_release/;

let hits = 0;
const lineScanMs = best(7, () => {
  hits = 0;
  for (const l of text.split('\n')) if (names.test(l)) hits++;
});

let findings = 0;
const coldMs = best(7, () => {
  findings = new DocumentScan(scanCSource).run(text, 'big.c', analysis, settings).findings.length;
});

// one line changes inside a function in the middle of the file; alternate two edits so every run rescans
const scan = new DocumentScan(scanCSource);
scan.run(text, 'big.c', analysis, settings);
const mid = text.indexOf('/* copy ', text.length >> 1);
const editA = text.slice(0, mid) + '/* edited A */ ' + text.slice(mid);
const editB = text.slice(0, mid) + '/* edited B */ ' + text.slice(mid);
let flip = false;
let incFindings = 0;
const incrementalMs = best(7, () => {
  flip = !flip;
  incFindings = scan.run(flip ? editA : editB, 'big.c', analysis, settings).findings.length;
});
if (incFindings !== findings) throw new Error(`incremental scan found ${incFindings}, cold scan ${findings}`);
if (findings === 0) throw new Error('no findings: the benchmark file does not exercise the scanner');

const row = (name: string, ms: number) =>
  console.log(`${name.padEnd(40)} ${ms.toFixed(2).padStart(9)} ms ${(ms / lineScanMs).toFixed(1).padStart(8)}x`);
console.log(`C file: ${lineCount} lines, ${(text.length / 1024).toFixed(0)} KiB; ${findings} findings; ${hits} lines name a changed API`);
console.log(`${'step'.padEnd(40)} ${'time'.padStart(12)} ${'vs line scan'.padStart(9)}`);
row('plain line scan (baseline)', lineScanMs);
row('annotate, cold (goal < 50 ms)', coldMs);
row('annotate after a one-line edit', incrementalMs);
console.log(
  JSON.stringify({
    lines: lineCount,
    findings,
    lineScanMs: +lineScanMs.toFixed(3),
    annotate10kMs: +coldMs.toFixed(3),
    incrementalMs: +incrementalMs.toFixed(3),
    coldRatio: +(coldMs / lineScanMs).toFixed(2),
    incrementalRatio: +(incrementalMs / lineScanMs).toFixed(2),
  }),
);
