// What a newer tree has that an older one did not: when the only readable tree is newer than the
// tree a patch was made against, these named rules take the later lines out of the base before the
// patch is applied (reconstruct.ts omitLines), and the functions read from it are marked
// reconstructed. Each rule names the change that brought the lines.
import type { OmitRule } from './reconstruct';

/** kernel version order: 2.5.70 < 2.5.70-mm2 < 2.5.73-mm1 < 2.6.0 < 2.6.11 */
export function compareKernelVersions(a: string, b: string): number {
  const parse = (v: string): number[] => {
    const m = /(\d+)\.(\d+)(?:\.(\d+))?(?:-mm(\d+))?/.exec(v);
    return m ? [+m[1], +m[2], +(m[3] ?? 0), m[4] === undefined ? 0 : +m[4]] : [];
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 4; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

export function knownVersion(v: string | undefined): boolean {
  return !!v && /\d+\.\d+/.test(v);
}

interface LaterChange {
  /** the first tree that has it */
  since: string;
  rules: OmitRule[];
}

const TRUNCATE_COUNT = "mapping->truncate_count (McCracken's truncate fix, 2.5.73-mm1, in 2.6.0) is later than the patch's tree";

const LATER: LaterChange[] = [
  {
    since: '2.5.73-mm1',
    rules: [
      { match: /^\s*if \(vma->vm_file\) \{/, why: TRUNCATE_COUNT },
      { match: /truncate_count/, why: TRUNCATE_COUNT },
      { match: /^\s*struct address_space \*mapping = NULL;/, why: TRUNCATE_COUNT },
      { match: /^\s*(?:unsigned )?int sequence = 0;/, why: TRUNCATE_COUNT },
      { match: /^\s*smp_rmb\(\);\s*\/\* Prevent CPU from reordering lock-free ->nopage\(\) \*\//, why: TRUNCATE_COUNT },
      { match: /^retry:\s*$/, why: TRUNCATE_COUNT, single: true },
    ],
  },
];

/** the rules that take a tree of version `tree` back to the patch's tree `patch` ([] when not newer or unknown) */
export function laterLines(tree: string | undefined, patch: string | undefined): OmitRule[] {
  if (!knownVersion(tree) || !knownVersion(patch) || compareKernelVersions(tree!, patch!) <= 0) return [];
  return LATER.filter((c) => compareKernelVersions(patch!, c.since) < 0 && compareKernelVersions(tree!, c.since) >= 0).flatMap(
    (c) => c.rules,
  );
}
