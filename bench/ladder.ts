// The explorer ladder's worlds: one file of N pages, N threads each faulting its own page of a shared
// mapping in its own mm, and one task truncating the file to 0 (issue 13's measure).
import type { WorldSpec } from '../src/engine/spec';

export function faultersAndTruncate(n: number): WorldSpec {
  const tasks: WorldSpec['tasks'] = [];
  for (let i = 0; i < n; i++) {
    tasks.push({
      name: `fault${i}`,
      mm: `mm${i}`,
      ops: [
        { op: 'mmap', addr: 0x10000, pages: n, prot: 'rw-', shared: true, file: 'data' },
        { op: 'read', addr: 0x10000 + i * 0x1000 },
      ],
    });
  }
  tasks.push({ name: 'trunc', ops: [{ op: 'truncate', file: 'data', pages: 0 }] });
  return { files: [{ name: 'data', pages: n }], mms: Array.from({ length: n }, (_, i) => ({ name: `mm${i}` })), tasks };
}
