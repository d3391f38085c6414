// Which vm_operations_struct a file mapping gets, in the ->nopage form of the fault variant in force.

import type { Kernel } from '../sim/kernel';
import type { File } from '../mm/addressSpace';
import type { VmOperations } from '../mm/vmOps';
import { filemapVmOps } from '../mm/filemap';
import { shmemVmOps } from './shmem';
import { dfsVmOps } from './dfsFs';

export function vmOpsForFile(k: Kernel, file: File): VmOperations {
  const form = k.fault.nopage;
  switch (file.fs) {
    case 'shmem':
      return shmemVmOps(form);
    case 'dfs':
      return dfsVmOps(form);
    default:
      return filemapVmOps(form);
  }
}
