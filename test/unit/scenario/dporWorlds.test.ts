// Partial-order reduction on random small worlds of the engine: the verdicts of the state-hashing search.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { createMachine } from '../../../src/engine/index';
import type { OpSpec, WorldSpec } from '../../../src/engine/index';
import { explore } from '../../../src/scenario/explorer';

import { names } from './fixtures/bundled';

const VARIANTS = ['2.5.70', 'install_new_page', 'truncate-seq'];

type TaskKind = 'read' | 'write' | 'read-unmap' | 'truncate' | 'truncate-1';

function world(kinds: TaskKind[], pages: number, pageOf: number[]): WorldSpec {
  const tasks: WorldSpec['tasks'] = [];
  const mms: WorldSpec['mms'] = [];
  kinds.forEach((k, i) => {
    if (k === 'truncate' || k === 'truncate-1') {
      tasks.push({ name: `t${i}`, ops: [{ op: 'truncate', file: 'data', pages: k === 'truncate' ? 0 : 1 }] });
      return;
    }
    mms.push({ name: `mm${i}` });
    const addr = 0x10000 + (pageOf[i] % pages) * 0x1000;
    const ops: OpSpec[] = [
      { op: 'mmap', addr: 0x10000, pages, prot: 'rw-', shared: true, file: 'data' },
      { op: k === 'write' ? 'write' : 'read', addr },
    ];
    if (k === 'read-unmap') ops.push({ op: 'munmap', addr: 0x10000, pages });
    tasks.push({ name: `t${i}`, mm: `mm${i}`, ops });
  });
  return { files: [{ name: 'data', pages }], mms, tasks };
}

const worlds = fc.record({
  kinds: fc.array(fc.constantFrom<TaskKind>('read', 'write', 'read-unmap', 'truncate', 'truncate-1'), { minLength: 2, maxLength: 2 }),
  pages: fc.integer({ min: 1, max: 2 }),
  pageOf: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 2, maxLength: 2 }),
  variant: fc.constantFrom(...VARIANTS),
});

describe('dpor on random small worlds', () => {
  it('property: the same verdicts as the state-hashing search', () => {
    fc.assert(
      fc.property(worlds, ({ kinds, pages, pageOf, variant }) => {
        const w = world(kinds, pages, pageOf);
        const make = () => createMachine(w, { fault: variant });
        const por = explore(make, { reduction: 'dpor', shrink: false });
        const ref = explore(make, { reduction: 'state', shrink: false });
        expect(por.complete && ref.complete).toBe(true);
        expect(names(por)).toEqual(names(ref));
      }),
      { numRuns: 12 },
    );
  }, 300_000);
});
