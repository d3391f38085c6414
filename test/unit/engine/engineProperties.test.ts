// Property tests over whole runs: random sequences of system calls and accesses by one or two
// threads keep every invariant (rss, reference balance, no orphan or stale ptes, SIGSEGV exactly
// when promised) under every fault and remap variant.

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createMachine, PAGE_SIZE } from '../../../src/engine/index';
import type { OpSpec } from '../../../src/engine/sim/spec';

const P = PAGE_SIZE;
const B = 0x100000;
const prots = ['r--', 'rw-', 'r-x', '---'];

const opArb: fc.Arbitrary<OpSpec> = fc.oneof(
  { arbitrary: fc.record({ at: fc.integer({ min: 0, max: 14 }), w: fc.constantFrom('read', 'write', 'write', 'exec') }).map(({ at, w }): OpSpec => ({ op: w, addr: B + at * P })), weight: 6 },
  { arbitrary: fc.record({ at: fc.integer({ min: 5, max: 9 }), pg: fc.integer({ min: 0, max: 7 }), p: fc.integer({ min: 0, max: 2 }), ni: fc.boolean() }).map(({ at, pg, p, ni }): OpSpec => ({ op: 'remap', addr: B + at * P, pages: 1, pgoff: pg, ...(ni ? { prot: prots[p], flags: ['MAP_NOINHERIT'] } : {}) })), weight: 3 },
  { arbitrary: fc.record({ at: fc.integer({ min: 0, max: 12 }) }).map(({ at }): OpSpec => ({ op: 'swap-out', addr: B + at * P })), weight: 3 },
  fc.record({ at: fc.integer({ min: 0, max: 12 }), n: fc.integer({ min: 1, max: 4 }), p: fc.integer({ min: 0, max: 2 }), sh: fc.boolean(), file: fc.boolean() })
    .map(({ at, n, p, sh, file }): OpSpec => ({ op: 'mmap', addr: B + at * P, pages: n, prot: prots[p], shared: sh, ...(file ? { file: 'f', pgoff: at % 4 } : {}) })),
  fc.record({ at: fc.integer({ min: 0, max: 12 }), n: fc.integer({ min: 1, max: 4 }) }).map(({ at, n }): OpSpec => ({ op: 'munmap', addr: B + at * P, pages: n })),
  fc.record({ at: fc.integer({ min: 0, max: 12 }), n: fc.integer({ min: 1, max: 3 }), p: fc.integer({ min: 0, max: 3 }) }).map(({ at, n, p }): OpSpec => ({ op: 'mprotect', addr: B + at * P, pages: n, prot: prots[p] })),
  fc.record({ at: fc.integer({ min: 0, max: 14 }), w: fc.constantFrom('read', 'write', 'exec') }).map(({ at, w }): OpSpec => ({ op: w, addr: B + at * P })),
  fc.record({ at: fc.integer({ min: 0, max: 12 }), n: fc.integer({ min: 1, max: 3 }), w: fc.boolean() }).map(({ at, n, w }): OpSpec => ({ op: 'touch', addr: B + at * P, pages: n, write: w })),
  fc.record({ at: fc.integer({ min: 0, max: 12 }) }).map(({ at }): OpSpec => ({ op: 'swap-out', addr: B + at * P })),
  fc.record({ at: fc.integer({ min: 0, max: 12 }), pg: fc.integer({ min: 0, max: 7 }), p: fc.integer({ min: 0, max: 2 }), ni: fc.boolean() })
    .map(({ at, pg, p, ni }): OpSpec => ({ op: 'remap', addr: B + at * P, pages: 1, pgoff: pg, ...(ni ? { prot: prots[p], flags: ['MAP_NOINHERIT'] } : {}) })),
  fc.record({ n: fc.integer({ min: 0, max: 8 }) }).map(({ n }): OpSpec => ({ op: 'truncate', file: 'f', pages: n })),
);

// an anonymous region, a shared file region (remap_file_pages works there) and a private file region
const setup: OpSpec[] = [
  { op: 'mmap', addr: B, pages: 5, prot: 'rw-' },
  { op: 'mmap', addr: B + 5 * P, pages: 5, prot: 'rw-', shared: true, file: 'f' },
  { op: 'mmap', addr: B + 10 * P, pages: 3, prot: 'rw-', file: 'f', pgoff: 2 },
];

describe('whole-run properties', () => {
  for (const fault of ['2.5.70', 'install_new_page', 'truncate-seq']) {
    for (const remap of ['2.6.13', 'nonuniform']) {
      it(`one thread, fault ${fault}, remap ${remap}: no invariant breaks`, () => {
        fc.assert(
          // under nonuniform a truncate can leave a protected file pte beyond EOF, whose fault is SIGBUS
          // by patch 19's design (seed002.test.ts); the property covers the rest
          fc.property(fc.array(remap === 'nonuniform' ? opArb.filter((o) => o.op !== 'truncate') : opArb, { maxLength: 30 }), (ops) => {
            const m = createMachine({ files: [{ name: 'f', pages: 8 }], mms: [{ name: 'A' }], tasks: [{ name: 'T', mm: 'A', ops: [...setup, ...ops] }] }, { fault, remap });
            m.runAll(undefined, 100_000);
            expect(m.violations).toEqual([]);
          }),
          { numRuns: 60 },
        );
      });
    }
  }
  // truncate-seq and 2.6.13: under 2.5.70 a schedule may hit seed 004's truncate race, and under
  // nonuniform patch 19's spurious SIGSEGV (seed002.test.ts); both are the kernel's behaviour
  it('two threads of one mm under a random schedule: no invariant breaks (truncate-seq, 2.6.13)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 12 }), fc.array(opArb, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 200 }), (a, b, picks) => {
        const m = createMachine({ files: [{ name: 'f', pages: 8 }], mms: [{ name: 'A' }], tasks: [{ name: 'T1', mm: 'A', ops: [...setup, ...a] }, { name: 'T2', mm: 'A', ops: b }] }, { fault: 'truncate-seq', remap: '2.6.13' });
        m.runAll((r, n) => r[(picks[n] ?? 0) % r.length], 100_000);
        expect(m.violations).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});
