// A fresh clone has only the repository: every input a test or a benchmark reads lives under it
// (test/fixtures/, scenarios/). This scans their sources for paths that leave the repository.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

import { describe, expect, it } from 'vitest';

const root = join(__dirname, '../..');
const SCANNED = ['test', 'bench', 'scripts'];
const SKIP_DIRS = new Set(['node_modules', 'fixtures', 'workspace']);

/** Each reach outside the repository in a source text, as "line: what". */
function outsideReads(src: string): string[] {
  const rules: [RegExp, string][] = [
    // the sibling folder by a relative path, with either separator, or as path segments
    [/\.\.[/\\]+shared\b/, 'reads the folder beside the repository'],
    [/['"`]\.\.['"`]\s*,\s*['"`]shared['"`]/, 'reads the folder beside the repository by path segments'],
    // an absolute path of the machine the tests were written on
    [/['"`](?:\/work|\/home|\/root|\/Users|[A-Za-z]:\\\\)[/\\]/, 'names an absolute path'],
    // the repository root's parent: join(root, '..') or join(root, '../x')
    [/join\(\s*root\s*,\s*['"`]\.\.(?:['"`]|[/\\])/, "goes above the repository root (join(root, '..'))"],
  ];
  const found: string[] = [];
  src.split('\n').forEach((line, i) => {
    for (const [re, what] of rules) if (re.test(line)) found.push(`${i + 1}: ${what}`);
  });
  return found;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) out.push(...sources(p));
    } else if (/\.(ts|mts|js|mjs|cjs)$/.test(e.name)) out.push(p);
  }
  return out;
}

describe('tests stand alone', () => {
  it('the rules catch a read outside the repository', () => {
    // the sample lines are built here so that this file itself names no folder outside the repository
    const sib = ['sha', 'red'].join('');
    expect(outsideReads(`readFileSync(join(root, '../${sib}/seeds/003.txt'))`)).toHaveLength(2);
    expect(outsideReads(`const f = join(root, '..', '${sib}', 'corpus');`)).toHaveLength(2);
    expect(outsideReads(`const f = '/work/${sib}/KERNEL-NOTES.md';`)).toEqual(['1: names an absolute path']);
    expect(outsideReads("x\nconst s = join(root, 'test/fixtures/patch/seeds/003.txt');")).toEqual([]);
    expect(outsideReads("const d = join(__dirname, '..', '..', 'fixtures');")).toEqual([]);
  });

  const files = SCANNED.flatMap((d) => sources(join(root, d))).filter((f) => f !== __filename);
  it('finds the test, benchmark and script sources', () => expect(files.length).toBeGreaterThan(50));
  it('no test, benchmark or script reads outside the repository', () => {
    const bad = files.flatMap((f) => outsideReads(readFileSync(f, 'utf8')).map((w) => `${relative(root, f)}:${w}`));
    expect(bad).toEqual([]);
  });
});

describe('each input is kept once', () => {
  /** every file under a folder */
  const all = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? all(join(dir, e.name)) : [join(dir, e.name)]));

  it('no copy of a shipped sample under test/ (tests read samples/ itself)', () => {
    const samples = all(join(root, 'samples'));
    expect(samples.length).toBeGreaterThan(0);
    const bySize = new Map<number, string[]>();
    for (const s of samples) {
      const n = statSync(s).size;
      bySize.set(n, [...(bySize.get(n) ?? []), s]);
    }
    const copies = all(join(root, 'test')).flatMap((f) => {
      const same = bySize.get(statSync(f).size)?.filter((s) => readFileSync(s).equals(readFileSync(f))) ?? [];
      return same.map((s) => `${relative(root, f)} copies ${relative(root, s)}`);
    });
    expect(copies).toEqual([]);
  });

  it('the samples ship in the .vsix', () => {
    const ignored = readFileSync(join(root, '.vscodeignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(ignored.filter((l) => /^(\*\*\/)?samples\b|^\*\*?$/.test(l))).toEqual([]);
  });
});
