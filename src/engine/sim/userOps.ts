// The operations a task runs that are system calls or user accesses (see ops.ts).

import { deviceVmOps, sgReserve } from '../drivers/devices';
import { dfsRemoteWrite } from '../drivers/remoteWrite';
import { vmOpsForFile } from '../fs/fsOps';
import { hugetlbfsFileMmap, hugetlbfsMmapChecks, hugetlbfsTruncate } from '../fs/hugetlbfs';
import { File } from '../mm/addressSpace';
import { userAccessOp } from '../mm/doPageFault';
import { forkOp } from '../mm/fork';
import { sysRemapFilePages } from '../mm/fremap';
import { hugetlbPrefault } from '../mm/hugetlb';
import { sysMadvise } from '../mm/madvise';
import { doMmapPgoff, doMunmap } from '../mm/mmap';
import { sysMprotect } from '../mm/mprotect';
import { doMremap } from '../mm/mremap';
import { PG_compound, PG_tail } from '../mm/page';
import { PTE_PRESENT } from '../mm/pageTable';
import { reclaimPage } from '../mm/swapOut';
import { vmtruncate, invalidateMmapRange } from '../mm/truncate';
import type { VmOperations } from '../mm/vmOps';
import { kswapd } from '../mm/vmscan';

import {
  EINVAL,
  PAGE_SIZE,
  VM_EXEC,
  VM_HUGETLB,
  VM_IO,
  VM_MAYSHARE,
  VM_READ,
  VM_RESERVED,
  VM_WRITE,
  parseProt,
  MAP_NOINHERIT,
  MAP_NONBLOCK,
  ENOMEM,
  EFAULT,
} from './constants';
import type { OpImpl, OpOf, OpOutcome } from './ops';
import type { Step } from './step';
import type { Task } from './task';

type UserOp =
  | 'mmap'
  | 'munmap'
  | 'mprotect'
  | 'read'
  | 'write'
  | 'exec'
  | 'touch'
  | 'truncate'
  | 'remote-write'
  | 'invalidate'
  | 'remap'
  | 'swap-out'
  | 'sleep'
  | 'fork'
  | 'kswapd'
  | 'madvise'
  | 'mremap';

function errno(n: number): string {
  switch (n) {
    case -EINVAL:
      return '-EINVAL';
    case -ENOMEM:
      return '-ENOMEM';
    case -EFAULT:
      return '-EFAULT';
    default:
      return String(n);
  }
}

function needMm(t: Task, op: string): OpOutcome | null {
  return t.mm ? null : { result: `-EINVAL (${op}: task ${t.name} has no mm)` };
}

function* mmapOp(t: Task, op: OpOf<'mmap'>): Generator<Step, OpOutcome, void> {
  const bad = needMm(t, 'mmap');
  if (bad) return bad;
  const mm = t.mm!;
  const k = t.kernel;
  let extra = 0;
  let ops: VmOperations | null = null;
  let file: File | null = op.file !== undefined ? k.file(op.file) : null;
  let device: string | null = null;
  for (const f of op.flags ?? []) {
    if (f === 'VM_IO') extra |= VM_IO;
    else if (f === 'VM_RESERVED') extra |= VM_RESERVED;
    else if (f === 'VM_HUGETLB') extra |= VM_HUGETLB;
    else if (f.startsWith('dev:')) device = f.slice(4);
    else if (f !== 'MAP_FIXED' && f !== 'MAP_PRIVATE' && f !== 'MAP_SHARED') return { result: `-EINVAL (unknown mmap flag '${f}')` };
  }
  let privateData: unknown = null;
  if (device) {
    const [kind, arg] = device.split(':');
    if (kind !== 'shmiq' && kind !== 'sg' && kind !== 'anon') return { result: `-EINVAL (unknown device '${kind}')` };
    ops = deviceVmOps(kind, k.fault.nopage);
    if (kind === 'sg') privateData = sgReserve(k, Number(arg ?? op.pages));
    extra |= kind === 'sg' ? VM_RESERVED : 0;
  } else if (file) {
    ops = vmOpsForFile(k, file);
  } else if (op.shared) {
    // MAP_SHARED|MAP_ANONYMOUS: shmem_zero_setup()
    file = new File(`shmem-anon-${++k.anonFiles}`, op.pages, 'shmem');
    k.files.set(file.name, file);
    ops = vmOpsForFile(k, file);
  }
  const huge = file !== null && file.fs === 'hugetlbfs';
  const prot = parseProt(op.prot);
  if (huge) {
    // is_file_hugepages(): hugetlbfs_file_mmap() marks the VMA before it is linked
    extra |= VM_HUGETLB | VM_RESERVED;
    const e = hugetlbfsMmapChecks(op.addr, op.pages * PAGE_SIZE, prot | (op.shared ? VM_MAYSHARE : 0), op.pgoff ?? 0);
    if (e) return { result: `${errno(e)} (hugetlbfs mapping: huge-page aligned range and offset, shared if writable)` };
  }
  t.enter('sys_mmap');
  if (t.downWrite(mm.mmapSem)) yield t.step;
  const r = yield* doMmapPgoff(t, mm, {
    addr: op.addr,
    len: op.pages * PAGE_SIZE,
    prot,
    shared: !!op.shared,
    file,
    pgoff: op.pgoff ?? 0,
    extraFlags: extra,
    ops,
    // hugetlbfs_file_mmap() populates the whole VMA; a VM_HUGETLB anonymous test mapping likewise
    fileMmap: extra & VM_HUGETLB ? (vma) => (huge ? hugetlbfsFileMmap(t, mm, vma, file!) : hugetlbPrefault(t, mm, vma)) : undefined,
  });
  if (r >= 0 && privateData) {
    const v = mm.vmas.find(op.addr);
    if (v) v.privateData = privateData;
  }
  if (t.upWrite(mm.mmapSem)) yield t.step;
  t.exit('sys_mmap');
  return { result: r >= 0 ? '0x' + r.toString(16) : errno(r) };
}

function* munmapOp(t: Task, op: OpOf<'munmap'>): Generator<Step, OpOutcome, void> {
  const bad = needMm(t, 'munmap');
  if (bad) return bad;
  const mm = t.mm!;
  // the 'munmap-under-read-mmap_sem' mutation: faults of other threads run on meanwhile
  const read = t.kernel.mutation.munmapUnderReadLock;
  t.enter('sys_munmap');
  if (read ? t.downRead(mm.mmapSem) : t.downWrite(mm.mmapSem)) yield t.step;
  const r = yield* doMunmap(t, mm, op.addr, op.pages * PAGE_SIZE);
  if (read ? t.upRead(mm.mmapSem) : t.upWrite(mm.mmapSem)) yield t.step;
  t.exit('sys_munmap');
  return { result: r === 0 ? '0' : errno(r) };
}

function* mprotectOp(t: Task, op: OpOf<'mprotect'>): Generator<Step, OpOutcome, void> {
  const bad = needMm(t, 'mprotect');
  if (bad) return bad;
  const r = yield* sysMprotect(t, t.mm!, op.addr, op.pages * PAGE_SIZE, parseProt(op.prot));
  return { result: r === 0 ? '0' : errno(r) };
}

function accessOp(t: Task, op: OpOf<'read' | 'write' | 'exec'>): Generator<Step, OpOutcome, void> {
  if (!t.mm) return noMm(t, op.op);
  const access = op.op === 'write' ? VM_WRITE : op.op === 'exec' ? VM_EXEC : VM_READ;
  return userAccessOp(t, op.addr, access, 1, false);
}

function touchOp(t: Task, op: OpOf<'touch'>): Generator<Step, OpOutcome, void> {
  if (!t.mm) return noMm(t, 'touch');
  return userAccessOp(t, op.addr, op.write ? VM_WRITE : VM_READ, op.pages, true);
}

function* noMm(t: Task, op: string): Generator<Step, OpOutcome, void> {
  return needMm(t, op)!;
}

function* truncateOp(t: Task, op: OpOf<'truncate'>): Generator<Step, OpOutcome, void> {
  const file = t.kernel.file(op.file);
  // do_truncate() -> notify_change() -> the inode's ->setattr (hugetlbfs) or inode_setattr -> vmtruncate
  if (file.fs === 'hugetlbfs') {
    const r = yield* hugetlbfsTruncate(t, file, op.pages);
    return { result: r === 0 ? '0' : errno(r) };
  }
  const r = yield* vmtruncate(t, file, op.pages);
  return { result: String(r) };
}

function* remoteWriteOp(t: Task, op: OpOf<'remote-write'>): Generator<Step, OpOutcome, void> {
  const file = t.kernel.file(op.file);
  if (file.fs !== 'dfs') return { result: `-EINVAL (${op.file} is not on the distributed filesystem)` };
  const r = yield* dfsRemoteWrite(t, file, op.page);
  return { result: String(r) };
}

function* invalidateOp(t: Task, op: OpOf<'invalidate'>): Generator<Step, OpOutcome, void> {
  const file = t.kernel.file(op.file);
  const space = file.mapping(t.node);
  const n = op.pages ?? 1;
  yield* invalidateMmapRange(t, space, op.page, op.page + n - 1);
  return { result: '0' };
}

function* remapOp(t: Task, op: OpOf<'remap'>): Generator<Step, OpOutcome, void> {
  const bad = needMm(t, 'remap');
  if (bad) return bad;
  const flags = op.flags ?? [];
  const r = yield* sysRemapFilePages(
    t,
    t.mm!,
    op.addr,
    op.pages * PAGE_SIZE,
    op.prot ? parseProt(op.prot) : 0,
    op.pgoff,
    flags.includes(MAP_NOINHERIT),
    flags.includes(MAP_NONBLOCK),
  );
  return { result: r === 0 ? '0' : errno(r) };
}

function* swapOutOp(t: Task, op: OpOf<'swap-out'>): Generator<Step, OpOutcome, void> {
  const bad = needMm(t, 'swap-out');
  if (bad) return bad;
  const mm = t.mm!;
  const k = t.kernel;
  const n = op.pages ?? 1;
  const results: string[] = [];
  let swapped = 0;
  for (let i = 0; i < n; i++) {
    const addr = op.addr + i * PAGE_SIZE;
    // find the page through the page table (follow_page), holding a reference while reclaiming
    if (t.spinLock(mm.pageTableLock)) yield t.step;
    if (t.pteRead(mm, addr, 'follow_page')) yield t.step;
    let page = mm.pt.kind(addr) === PTE_PRESENT ? (k.alloc.byPfn(mm.pt.val(addr)) ?? null) : null;
    // hugetlb pages are never on the LRU lists: reclaim does not see them
    if (page && (page.test(PG_compound) || page.test(PG_tail))) page = null;
    if (page && !page.reserved) k.alloc.get(page);
    if (t.spinUnlock(mm.pageTableLock)) yield t.step;
    if (!page || page.reserved) continue;
    const r = yield* reclaimPage(t, page);
    k.alloc.put(page);
    if (r === 'SWAP_SUCCESS') swapped++;
    else results.push(`page ${i}: ${r}`);
  }
  return { result: `${swapped} swapped out${results.length ? '; ' + results.join(', ') : ''}` };
}

function* madviseOp(t: Task, op: OpOf<'madvise'>): Generator<Step, OpOutcome, void> {
  const bad = needMm(t, 'madvise');
  if (bad) return bad;
  const r = yield* sysMadvise(t, t.mm!, op.addr, op.pages * PAGE_SIZE);
  return { result: r === 0 ? '0' : errno(r) };
}

function* mremapOp(t: Task, op: OpOf<'mremap'>): Generator<Step, OpOutcome, void> {
  const bad = needMm(t, 'mremap');
  if (bad) return bad;
  const mm = t.mm!;
  t.enter('sys_mremap');
  if (t.downWrite(mm.mmapSem)) yield t.step;
  const r = yield* doMremap(t, mm, op.addr, op.pages * PAGE_SIZE, op.newPages * PAGE_SIZE, op.flags ?? [], op.newAddr ?? 0);
  if (t.upWrite(mm.mmapSem)) yield t.step;
  t.exit('sys_mremap');
  return { result: r >= 0 ? '0x' + r.toString(16) : errno(r) };
}

function* kswapdOp(t: Task, op: OpOf<'kswapd'>): Generator<Step, OpOutcome, void> {
  return { result: yield* kswapd(t, op.passes ?? 1) };
}

function* sleepOp(t: Task): Generator<Step, OpOutcome, void> {
  if (t.sleep('schedule()')) yield t.step;
  return { result: '0' };
}

export const USER_OPS = {
  mmap: mmapOp,
  munmap: munmapOp,
  mprotect: mprotectOp,
  read: accessOp,
  write: accessOp,
  exec: accessOp,
  touch: touchOp,
  truncate: truncateOp,
  'remote-write': remoteWriteOp,
  invalidate: invalidateOp,
  remap: remapOp,
  'swap-out': swapOutOp,
  sleep: sleepOp,
  fork: (t: Task, op: OpOf<'fork'>) => forkOp(t, op.as),
  kswapd: kswapdOp,
  madvise: madviseOp,
  mremap: mremapOp,
} satisfies { [K in UserOp]: OpImpl<K> };
