// The sizes a scenario may ask for, following the machine the engine models (i386, Linux 2.6): a value
// beyond them describes no such machine, and a dense structure of that size would exhaust the process.
// The schema (mmscenario.schema.json) states the same numbers; a unit test keeps the two in step.

/** i386: 32-bit virtual addresses, 4 GB of address space */
export const ADDRESS_SPACE_BYTES = 2 ** 32;
/** the most pages one range of the address space can hold (4 GB / 4 KB) */
export const MAX_RANGE_PAGES = 2 ** 20;
/** MAX_LFS_FILESIZE of 2.6 on a 32-bit machine is 2^43 - 1 bytes: page cache indices below 2^31 */
export const MAX_FILE_PAGES = 2 ** 31;
/** physical memory: 64 GB, the most an i386 with PAE addresses, in 4 KB pages */
export const MAX_MEMORY_PAGES = 2 ** 24;
/** sysctl_max_map_count is an int */
export const MAX_MAP_COUNT = 2 ** 31 - 1;
/** the longest run (steps) the scheduler takes: a schedule prefix and the step bound stop here */
export const MAX_RUN_STEPS = 100_000;

/** the old generation (MB) each worker thread of a run or a search may fill (the extension's setting
 * mmExplorer.explore.memoryLimitMB): past it that worker is ended with a message, never the process */
export const DEFAULT_WORKER_MEMORY_MB = 2048;

/** the input files the CLI and the extension read (bytes); both can be changed by the user */
export interface InputLimits {
  scenarioBytes: number;
  patchBytes: number;
}

/** A scenario is a few KB; reading YAML with positions costs about 80 bytes of memory and 1 us per
 * byte, so 2 MB (some 40,000 ops) stays within a 512 MB heap and a few seconds. A patch series is
 * read by a lighter reader. */
export const DEFAULT_INPUT_LIMITS: InputLimits = {
  scenarioBytes: 2 * 1024 * 1024,
  patchBytes: 256 * 1024 * 1024,
};

/** a byte count for messages: "8 MB", "1.5 KB", "300 bytes" */
export function sizeText(bytes: number): string {
  const units: [number, string][] = [
    [1024 ** 3, 'GB'],
    [1024 ** 2, 'MB'],
    [1024, 'KB'],
  ];
  for (const [u, name] of units)
    if (bytes >= u) {
      const v = bytes / u;
      return `${Number.isInteger(v) ? v : v.toFixed(1)} ${name}`;
    }
  return `${bytes} bytes`;
}
