// Which vm_operations_struct a file mapping gets, in the ->nopage form of the fault variant in force.

import type { File } from '../mm/addressSpace';
import { filemapVmOps } from '../mm/filemap';
import type { VmOperations } from '../mm/vmOps';
import type { Kernel } from '../sim/kernel';

import { dfsVmOps } from './dfsFs';
import { hugetlbVmOps } from './hugetlbfs';
import { shmemVmOps } from './shmem';

export function vmOpsForFile(k: Kernel, file: File): VmOperations {
  const form = k.fault.nopage;
  switch (file.fs) {
    case 'shmem':
      return shmemVmOps(form);
    case 'dfs':
      return dfsVmOps(form);
    case 'hugetlbfs':
      return hugetlbVmOps(form);
    default:
      return filemapVmOps(form);
  }
}
