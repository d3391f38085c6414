// Mutations of 2.6.11's do_no_page are caught: without the truncate_count retry, or with the
// sequence sampled only after ->nopage returns, the explorer finds stale-pte on both races, with a
// minimal counterexample that replays.
import { beforeAll, describe, expect, it } from 'vitest';

import { explore, runSchedule } from '../../../src/scenario/explorer';
import { exploreOptions, machineFactory } from '../../../src/scenario/runner';

import { MEMORY_C, interpretedVariant, scenarioWith } from './helpers';

const RETRY = `	if (mapping && unlikely(sequence != mapping->truncate_count)) {
		sequence = mapping->truncate_count;
		spin_unlock(&mm->page_table_lock);
		page_cache_release(new_page);
		goto retry;
	}
`;
const SAMPLE = `	if (vma->vm_file) {
		mapping = vma->vm_file->f_mapping;
		sequence = mapping->truncate_count;
		smp_rmb(); /* serializes i_size against truncate_count */
	}
`;
const NOPAGE_CALL = '	new_page = vma->vm_ops->nopage(vma, address & PAGE_MASK, &ret);\n';

function mutate(text: string, from: string, to: string): string {
  expect(text.split(from).length).toBe(2);
  return text.replace(from, to);
}

const MUTANTS: Record<string, string> = {
  'c-2.6.11-no-retry': mutate(MEMORY_C, RETRY, ''),
  'c-2.6.11-late-sample': mutate(mutate(MEMORY_C, SAMPLE, ''), NOPAGE_CALL, NOPAGE_CALL + SAMPLE),
};

beforeAll(async () => {
  for (const [name, text] of Object.entries(MUTANTS)) await interpretedVariant(name, text);
  await interpretedVariant('c-2.6.11');
});

describe.each(Object.keys(MUTANTS))('%s', (variant) => {
  it.each(['dfs-race', 'truncate-race'])(
    '%s: stale-pte with a minimal counterexample that replays',
    (name) => {
      const s = scenarioWith(name, variant, variant);
      const x = explore(machineFactory(s, { fault: variant }), exploreOptions(s, { only: ['stale-pte'], stopAtFirst: true }));
      const v = x.violations.find((y) => y.invariant === 'stale-pte');
      expect(v).toBeDefined();
      const replay = runSchedule(machineFactory(s, { fault: variant }), { schedule: v!.schedule });
      expect(replay.machine.violations.some((y) => y.invariant === 'stale-pte')).toBe(true);
      // minimal: one step less of the prefix and the default order no longer races
      const shorter = runSchedule(machineFactory(s, { fault: variant }), { schedule: v!.schedule.slice(0, -1), lenient: true });
      expect(shorter.machine.violations.some((y) => y.invariant === 'stale-pte')).toBe(false);
      // the counterexample is a real interleaving: one preemption while ->nopage sleeps
      expect(v!.preemptions).toBeLessThanOrEqual(2);
      // and the unmodified 2.6.11 text survives the same schedule
      const fixed = runSchedule(machineFactory(s, { fault: 'c-2.6.11' }), { schedule: v!.schedule, lenient: true });
      expect(fixed.machine.violations.some((y) => y.invariant === 'stale-pte')).toBe(false);
    },
    120_000,
  );
});
