// Kernel constants of the era (2.5.70 / 2.6.13, i386-like), named as in include/linux/mm.h.

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;
/** i386 with the 3G/1G split: user addresses are below PAGE_OFFSET */
export const TASK_SIZE = 0xc0000000;
/** entries per pte table and per pmd table (PAE-like 3-level layout) */
export const PTRS_PER_PTE = 512;
export const PTRS_PER_PMD = 512;
export const PMD_SHIFT = PAGE_SHIFT + 9;
export const PGDIR_SHIFT = PMD_SHIFT + 9;

export const DEFAULT_MAX_MAP_COUNT = 65536;

// vm_flags
export const VM_READ = 0x1;
export const VM_WRITE = 0x2;
export const VM_EXEC = 0x4;
export const VM_SHARED = 0x8;
export const VM_MAYREAD = 0x10;
export const VM_MAYWRITE = 0x20;
export const VM_MAYEXEC = 0x40;
export const VM_MAYSHARE = 0x80;
export const VM_GROWSDOWN = 0x100;
export const VM_IO = 0x4000;
export const VM_RESERVED = 0x80000;
export const VM_HUGETLB = 0x400000;
export const VM_NONLINEAR = 0x800000;
/** seed 002: per-page protections live in the ptes (and in file ptes) */
export const VM_NONUNIFORM = 0x1000000;
export const VM_ACCESS_MASK = VM_READ | VM_WRITE | VM_EXEC;

export const VM_FLAG_NAMES: [number, string][] = [
  [VM_READ, 'VM_READ'],
  [VM_WRITE, 'VM_WRITE'],
  [VM_EXEC, 'VM_EXEC'],
  [VM_SHARED, 'VM_SHARED'],
  [VM_MAYSHARE, 'VM_MAYSHARE'],
  [VM_IO, 'VM_IO'],
  [VM_RESERVED, 'VM_RESERVED'],
  [VM_HUGETLB, 'VM_HUGETLB'],
  [VM_NONLINEAR, 'VM_NONLINEAR'],
  [VM_NONUNIFORM, 'VM_NONUNIFORM'],
];

export function vmFlagNames(flags: number): string[] {
  const out: string[] = [];
  for (const [bit, name] of VM_FLAG_NAMES) if (flags & bit) out.push(name);
  return out;
}

// handle_mm_fault() results (2.5: SIGBUS 0, MINOR 1, MAJOR 2, OOM -1; seed 002 adds SIGSEGV)
export const VM_FAULT_OOM = -1;
export const VM_FAULT_SIGBUS = 0;
export const VM_FAULT_MINOR = 1;
export const VM_FAULT_MAJOR = 2;
export const VM_FAULT_SIGSEGV = 3;

export function faultName(r: number): string {
  switch (r) {
    case VM_FAULT_OOM:
      return 'VM_FAULT_OOM';
    case VM_FAULT_SIGBUS:
      return 'VM_FAULT_SIGBUS';
    case VM_FAULT_MINOR:
      return 'VM_FAULT_MINOR';
    case VM_FAULT_MAJOR:
      return 'VM_FAULT_MAJOR';
    case VM_FAULT_SIGSEGV:
      return 'VM_FAULT_SIGSEGV';
    default:
      return `VM_FAULT(${r})`;
  }
}

export const EINVAL = 22;
export const ENOMEM = 12;
export const EFAULT = 14;
export const EFBIG = 27;
export const EEXIST = 17;

// mmap flags accepted in OpSpec.flags
export const MAP_NOINHERIT = 'MAP_NOINHERIT';
export const MAP_NONBLOCK = 'MAP_NONBLOCK';

/** 'rwx' style protection to the VM_READ|VM_WRITE|VM_EXEC bits; throws on malformed text */
export function parseProt(p: string): number {
  if (!/^[r-][w-][x-]$/.test(p)) throw new Error(`bad protection '${p}' (expected e.g. 'rw-')`);
  return (p[0] === 'r' ? VM_READ : 0) | (p[1] === 'w' ? VM_WRITE : 0) | (p[2] === 'x' ? VM_EXEC : 0);
}

export function protString(bits: number): string {
  return (bits & VM_READ ? 'r' : '-') + (bits & VM_WRITE ? 'w' : '-') + (bits & VM_EXEC ? 'x' : '-');
}

export function hex(n: number): string {
  return '0x' + n.toString(16);
}
