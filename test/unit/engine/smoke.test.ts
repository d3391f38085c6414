import { describe, it, expect } from 'vitest';
import { createMachine } from '../../../src/engine/index';

describe('machine smoke', () => {
  it('runs an anonymous mmap, read and write faults', () => {
    const m = createMachine({ mms: [{ name: 'A' }], tasks: [{ name: 'T', mm: 'A', ops: [
      { op: 'mmap', addr: 0x10000, pages: 4, prot: 'rw-' },
      { op: 'read', addr: 0x10000 },
      { op: 'write', addr: 0x10000 },
      { op: 'write', addr: 0x11000 },
      { op: 'munmap', addr: 0x10000, pages: 4 },
    ] }] }, {}, { trace: true });
    m.runAll();
    expect(m.results.map((r) => r.result)).toEqual(['0x10000', 'VM_FAULT_MINOR', 'VM_FAULT_MINOR', 'VM_FAULT_MINOR', '0']);
    expect(m.violations).toEqual([]);
  });
});
