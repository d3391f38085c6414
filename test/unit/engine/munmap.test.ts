// munmap against a fault of another thread of the same process (2.6.11 mm/mmap.c sys_munmap,
// do_munmap; arch/i386/mm/fault.c do_page_fault): mmap_sem held for write keeps the fault out of the
// range while the VMA is detached and zapped. The 'munmap-under-read-mmap_sem' mutation holds it for
// read only, and a fault that found the VMA installs its pte after the zap.
import { describe, expect, it } from 'vitest';

import { createMachine } from '../../../src/engine/index';
import type { WorldSpec } from '../../../src/engine/index';
import { explore, runSchedule } from '../../../src/scenario/explorer';

const A = 0x10000;

/** thread `unmapper` maps a file page, reads it and unmaps it; thread `reader` of the same mm reads it */
const w: WorldSpec = {
  files: [{ name: 'lib', pages: 1 }],
  mms: [{ name: 'a' }],
  tasks: [
    {
      name: 'unmapper',
      mm: 'a',
      ops: [
        { op: 'mmap', addr: A, pages: 1, prot: 'r--', shared: true, file: 'lib' },
        { op: 'read', addr: A },
        { op: 'munmap', addr: A, pages: 1 },
      ],
    },
    { name: 'reader', mm: 'a', ops: [{ op: 'sleep' }, { op: 'read', addr: A }] },
  ],
};

const mutated = { fault: '2.5.70', mutation: 'munmap-under-read-mmap_sem' };

describe('munmap against a fault in another thread of the same mm', () => {
  it('under mmap_sem held for write every schedule is clean: the read maps the page before munmap or gets SIGSEGV after', () => {
    const x = explore(() => createMachine(w, { fault: '2.5.70' }), { maxPreemptions: 2, maxSteps: 3000 });
    expect(x.complete).toBe(true);
    expect(x.violations.map((v) => v.invariant)).toEqual([]);
    // sys_munmap takes mmap_sem for write
    const m = createMachine(w, { fault: '2.5.70' }, { trace: true }).runAll();
    expect(m.trace.filter((e) => e.fn === 'sys_munmap' && e.kind === 'lock').map((e) => e.detail)).toEqual(['down_write(mmap_sem)']);
  });

  it('mutation munmap-under-read-mmap_sem: a fault that found the VMA installs its pte after the zap (orphan-pte)', () => {
    const x = explore(() => createMachine(w, mutated), { maxPreemptions: 2, maxSteps: 3000 });
    const orphan = x.violations.find((v) => v.invariant === 'orphan-pte');
    expect(orphan).toBeDefined();
    expect(orphan!.message).toMatch(/a 0x10000: present pte outside any VMA/);
    // the counterexample replays: the reader's do_no_page installs the pte once munmap has returned
    const { machine } = runSchedule(() => createMachine(w, mutated, { trace: true }), { schedule: orphan!.schedule });
    const m = machine as ReturnType<typeof createMachine>;
    expect(m.violations.map((v) => v.invariant)).toContain('orphan-pte');
    const pte = m.trace.filter((e) => e.kind === 'pte' && e.detail.startsWith('0x10000 ->'));
    const munmapEnd = m.trace.findIndex((e) => e.kind === 'exit' && e.fn === 'sys_munmap');
    expect(m.trace.indexOf(pte[pte.length - 1])).toBeGreaterThan(munmapEnd);
    expect(pte[pte.length - 1].task).toBe(1);
    expect(m.trace.filter((e) => e.fn === 'sys_munmap' && e.kind === 'lock').map((e) => e.detail)).toEqual(['down_read(mmap_sem)']);
  });

  it('the mutation changes nothing without a second thread: munmap alone is the same', () => {
    const alone: WorldSpec = { ...w, tasks: [w.tasks[0]] };
    const a = createMachine(alone, { fault: '2.5.70' }).runAll();
    const b = createMachine(alone, mutated).runAll();
    expect(b.results).toEqual(a.results);
    expect(b.violations).toEqual([]);
  });
});
