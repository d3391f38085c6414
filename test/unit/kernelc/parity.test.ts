// Parity: Linux 2.6.11's own handle_pte_fault, do_no_page and do_anonymous_page, interpreted,
// against the TypeScript fault path under truncate-seq (the 2.6.11-like rules): the same explorer
// verdicts, expectation results and lock operations on the three races, and the same steps one by
// one. One documented difference: 2.6.11 samples mapping->truncate_count after dropping
// page_table_lock (mm/memory.c:1866-1870), the TypeScript truncate-seq model before it, as
// McCracken's 2.5.73-mm1 patch did; under sequential consistency both close the race.
import { beforeAll, describe, expect, it } from 'vitest';

import { createMachine } from '../../../src/engine/index';
import { interpretedVariant as registered } from '../../../src/engine/sim/interpreted';
import type { StepInfo, WorldSpec } from '../../../src/engine/sim/spec';
import { linux2611 } from '../../../src/kernelc/eras/linux-2.6.11';
import type { CStack } from '../../../src/kernelc/frame';
import { compileWith, registerKernelCVariant } from '../../../src/kernelc/index';
import { lockOpCounts } from '../../../src/scenario/expectations';
import { runSchedule } from '../../../src/scenario/explorer';
import { checkColumn, machineFactory } from '../../../src/scenario/runner';

import { FAULT_FNS, FILEMAP_C, MEMORY_C, interpretedVariant, parser, scenarioWith } from './helpers';

const C = 'c-2.6.11';
const TS = 'truncate-seq';

const CM = 'c-2.6.11-handle_mm_fault';

beforeAll(async () => {
  await interpretedVariant(C);
  await interpretedVariant(CM, undefined, ['handle_mm_fault', ...FAULT_FNS]);
});

describe.each(['dfs-race', 'truncate-race', 'anon-fault'])('%s: interpreted 2.6.11 against the TypeScript truncate-seq column', (name) => {
  it('same explorer verdicts, expectation results, fault results and lock operations per function', () => {
    const s = scenarioWith(name, C, C, TS);
    const col = (l: string) => s.columns.find((c) => c.label === l)!;
    const ts = checkColumn(s, col(TS), { explore: 'always' });
    const c = checkColumn(s, col(C), { explore: 'always' });
    expect(ts.exploration!.complete).toBe(true);
    expect(c.exploration!.complete).toBe(true);
    expect(c.exploration!.violations.map((v) => v.invariant).sort()).toEqual(ts.exploration!.violations.map((v) => v.invariant).sort());
    expect(c.expectations.map((e) => [e.text ?? e, e.met])).toEqual(ts.expectations.map((e) => [e.text ?? e, e.met]));
    expect(c.ok).toBe(true);
    expect(c.run.results).toEqual(ts.run.results);
    expect(c.run.violations.map((v) => v.invariant)).toEqual(ts.run.violations.map((v) => v.invariant));
    const lo = (t: typeof c.run.trace) => lockOpCounts(t);
    expect(lo(c.run.trace)).toEqual(lo(ts.run.trace));
  }, 120_000);
});

/** a step as the scheduler sees it: who, where, which objects; labels only where both name the same action */
function view(s: StepInfo): string {
  const lockish = s.writes.some((w) => w.startsWith('lock:')) || /alloc|sleep|GFP/.test(s.label);
  return `${s.task} ${s.fn} r[${[...new Set(s.reads)].join(',')}] w[${[...new Set(s.writes)].join(',')}]${lockish ? ' ' + s.label : ''}`;
}

function steps(world: WorldSpec, fault: string, seed?: number): string[] {
  return runSchedule(() => createMachine(world, { fault }), { seed, keepSteps: true }).steps.map(view);
}

const anonWorld = (ops: WorldSpec['tasks'][number]['ops']): WorldSpec => ({
  mms: [{ name: 'p' }],
  tasks: [{ name: 't', mm: 'p', ops: [{ op: 'mmap', addr: 0x20000, pages: 2, prot: 'rw-' }, ...ops] }],
});

describe('step-by-step parity', () => {
  it('a read fault (zero page), a write fault (new anonymous page) and a read after the write', () => {
    for (const ops of [
      [{ op: 'read', addr: 0x20000 }],
      [{ op: 'write', addr: 0x20010 }],
      [
        { op: 'write', addr: 0x20000 },
        { op: 'read', addr: 0x21000 },
        { op: 'write', addr: 0x21000 },
      ],
    ] as const) {
      const w = anonWorld([...ops]);
      const ts = steps(w, TS);
      expect(ts.length).toBeGreaterThan(4);
      expect(steps(w, C)).toEqual(ts);
    }
  });

  it('a fault raced by another thread of the mm (anon-fault), under 30 random schedules', () => {
    const s = scenarioWith('anon-fault', C, C);
    const seen = new Set<string>();
    for (let seed = 1; seed <= 30; seed++) {
      const ts = steps(s.world, TS, seed);
      expect(ts.length).toBeGreaterThan(20);
      expect(steps(s.world, C, seed)).toEqual(ts);
      seen.add(ts.join('\n'));
    }
    // the random schedules do interleave differently
    expect(seen.size).toBeGreaterThan(5);
  });

  it('with handle_mm_fault interpreted too (pte table allocation, pgfault count): the same steps', () => {
    const s = scenarioWith('anon-fault', CM, CM);
    for (let seed = 1; seed <= 10; seed++) expect(steps(s.world, CM, seed)).toEqual(steps(s.world, TS, seed));
    const r = runSchedule(() => createMachine(s.world, { fault: CM }));
    expect(r.machine.snapshot().counters?.['page_state pgfault']).toBeGreaterThan(0);
  });

  it('a file read fault: the same steps except where 2.6.11 reads truncate_count and has no pte_chain', () => {
    const s = scenarioWith('truncate-race', C, C);
    const solo: WorldSpec = { ...s.world, tasks: [s.world.tasks[0]] };
    const withChain = steps(solo, TS);
    const c = steps(solo, C);
    // the TypeScript column follows 2.6.0's do_no_page (variants.ts eras), which still has pte_chains:
    // it sleeps in pte_chain_alloc(GFP_KERNEL) once ->nopage returned; 2.6.11's object-based rmap
    // has no such allocation, so no may-sleep point there
    const chain = withChain.findIndex((x) => x.includes('pte_chain_alloc'));
    expect(withChain[chain]).toBe('0 do_no_page r[] w[] pte_chain_alloc(GFP_KERNEL)');
    expect(withChain[chain - 1]).toMatch(/^0 filemap_nopage /);
    expect(c.some((x) => x.includes('pte_chain_alloc'))).toBe(false);
    const ts = withChain.filter((_, i) => i !== chain);
    const seqTs = ts.findIndex((x) => x.includes('truncate_count'));
    const seqC = c.findIndex((x) => x.includes('truncate_count'));
    expect(seqTs).toBeGreaterThan(0);
    // TypeScript: read the count, then spin_unlock; 2.6.11: spin_unlock, then read the count
    expect(ts[seqTs + 1]).toContain('spin_unlock(page_table_lock)');
    expect(seqC).toBe(seqTs + 1);
    const swapped = [...ts];
    [swapped[seqTs], swapped[seqTs + 1]] = [swapped[seqTs + 1], swapped[seqTs]];
    // the pair's footprints: 2.6.11's second step (the count read, lock already dropped) also records
    // the page-cache lookup that ->nopage makes before its own first step; a larger footprint only
    // makes the explorer more careful, never less
    const pair = (xs: string[]) =>
      [
        ...new Set(
          xs.slice(seqTs, seqTs + 2).flatMap((x) => [...x.matchAll(/[rw]\[([^\]]*)\]/g)].flatMap((m) => m[1].split(',').filter(Boolean))),
        ),
      ].sort();
    expect(pair(c)).toEqual(expect.arrayContaining(pair(swapped)));
    expect(
      pair(c)
        .filter((k) => !pair(swapped).includes(k))
        .every((k) => k.startsWith('file:')),
    ).toBe(true);
    const strip = (x: string) => x.replace(/ r\[[^\]]*\] w\[[^\]]*\]/, '');
    expect(c.slice(seqTs, seqTs + 2).map(strip)).toEqual(swapped.slice(seqTs, seqTs + 2).map(strip));
    expect([...c.slice(0, seqTs), ...c.slice(seqTs + 2)]).toEqual([...swapped.slice(0, seqTs), ...swapped.slice(seqTs + 2)]);
  });
});

describe('filemap_nopage interpreted too (mm/filemap.c, called through ->nopage)', () => {
  it('truncate-race: the verdicts, expectations and results of truncate-seq; a mutant without the retry still races', async () => {
    const p = await parser();
    const sources = (memory: string) => [
      { file: 'mm/memory.c', text: memory },
      { file: 'mm/filemap.c', text: FILEMAP_C },
    ];
    const fns = [...FAULT_FNS, 'filemap_nopage'];
    if (!registered('c-2.6.11-filemap'))
      registerKernelCVariant({
        name: 'c-2.6.11-filemap',
        base: TS,
        description: 'fault path and filemap_nopage of 2.6.11',
        program: compileWith(p, linux2611, sources(MEMORY_C), fns),
      });
    const s = scenarioWith('truncate-race', 'c-2.6.11-filemap', 'c-2.6.11-filemap', TS);
    const ts = checkColumn(
      s,
      s.columns.find((c) => c.label === TS)!,
      { explore: 'always' },
    );
    const c = checkColumn(
      s,
      s.columns.find((c) => c.label === 'c-2.6.11-filemap')!,
      { explore: 'always' },
    );
    expect(c.exploration!.complete).toBe(true);
    expect(c.exploration!.violations.map((v) => v.invariant)).toEqual(ts.exploration!.violations.map((v) => v.invariant));
    expect(c.ok).toBe(true);
    expect(c.run.results).toEqual(ts.run.results);
    // the C filemap_nopage ran (its own frame, its own lines)
    expect(c.run.trace.some((e) => e.kind === 'enter' && e.fn === 'filemap_nopage' && e.src?.startsWith('mm/filemap.c:'))).toBe(true);
    const noRetry = MEMORY_C.replace(/\tif \(mapping && unlikely\(sequence != mapping->truncate_count\)\) \{[^}]*\}\n/, '');
    expect(noRetry).not.toBe(MEMORY_C);
    if (!registered('c-2.6.11-filemap-no-retry'))
      registerKernelCVariant({
        name: 'c-2.6.11-filemap-no-retry',
        base: TS,
        description: 'mutant',
        program: compileWith(p, linux2611, sources(noRetry), fns),
      });
    const m = checkColumn(
      scenarioWith('truncate-race', 'mut', 'c-2.6.11-filemap-no-retry'),
      { label: 'mut', selection: { fault: 'c-2.6.11-filemap-no-retry' } },
      { explore: 'always' },
    );
    expect(m.exploration!.violations.map((v) => v.invariant)).toContain('stale-pte');
  }, 120_000);
});

describe('interpreted state', () => {
  it('locals of interpreted frames are part of the state hash (a sampled truncate_count is not merged away)', () => {
    const s = scenarioWith('truncate-race', C, C);
    const m = machineFactory(s, { fault: C })() as ReturnType<typeof createMachine>;
    const fault = m.tasks[0];
    let frame;
    for (let i = 0; i < 40 && !frame; i++) {
      m.step(0);
      frame = (fault.interp as CStack | null)?.frames.find((f) => f.fn.name === 'do_no_page' && f.local('mapping') !== null);
    }
    if (!frame) throw new Error('no do_no_page frame with a mapping');
    const h1 = m.stateHash();
    const slot = frame.fn.slotNames.indexOf('sequence');
    frame.slots[slot] = (frame.slots[slot] as number) + 1;
    expect(m.stateHash()).not.toBe(h1);
  });

  it('steps and trace events of interpreted code carry the C file and line', () => {
    const s = scenarioWith('truncate-race', C, C);
    const solo: WorldSpec = { ...s.world, tasks: [s.world.tasks[0]] };
    const r = runSchedule(() => createMachine(solo, { fault: C }, { trace: true }), { keepSteps: true });
    // do_no_page: "spin_unlock(&mm->page_table_lock);" before ->nopage, mm/memory.c:1866
    const unlock = r.machine.trace.find((e) => e.kind === 'unlock' && e.fn === 'do_no_page');
    expect(unlock?.src).toBe('mm/memory.c:1866');
    const seq = r.steps.find((x) => x.reads.some((k) => k.includes('truncate_count')));
    expect(seq?.src).toBe('mm/memory.c:1870');
    expect(seq?.label).toBe('mapping->truncate_count');
    // the TypeScript column has no C lines
    const ts = runSchedule(() => createMachine(solo, { fault: TS }, { trace: true }));
    expect(ts.machine.trace.some((e) => e.src !== undefined)).toBe(false);
  });
});
