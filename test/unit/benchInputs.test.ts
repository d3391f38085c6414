// The benchmarks are not run by `npm test`; the repository files they read must still exist, so that
// moving a fixture cannot break `npm run bench:*` unnoticed.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, it, expect } from 'vitest';

const root = join(__dirname, '../..');

describe('benchmark inputs', () => {
  const benches = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.ts'));
  it('finds the benchmarks', () => expect(benches.length).toBeGreaterThanOrEqual(4));
  for (const b of benches) {
    it(`${b}: every repository path it names exists`, () => {
      const text = readFileSync(join(root, 'bench', b), 'utf8');
      const paths = [...text.matchAll(/join\(root, '([^']+)'\)/g)].map((m) => m[1]);
      // fx('x') reads test/fixtures/patch/x in bench/patch.ts
      const fx = /const fx = \(p: string\) => readFileSync\(join\(root, '([^']+)', p\)\)/.exec(text)?.[1];
      if (fx) for (const m of text.matchAll(/fx\('([^']+)'\)/g)) paths.push(join(fx, m[1]));
      // build outputs (dist/, out/) are made by npm run build, not kept in the repository
      for (const p of paths.filter((x) => !/^(?:dist|out)\//.test(x))) expect(existsSync(join(root, p)), p).toBe(true);
    });
  }
});
