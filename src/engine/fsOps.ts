// Which vm_operations_struct a file mapping gets, in the ->nopage form of the fault variant in force.

import type { Kernel } from './kernel';
import type { File } from './addressSpace';
import type { VmOperations } from './vmOps';
import { filemapVmOps } from './filemap';
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
