// Sizes follow the modelled i386 machine: values beyond them are located errors naming the limit, found
// without allocating what they ask for; big-but-legal values run on sparse structures.
import { describe, expect, it } from 'vitest';

import { runSchedule } from '../../../src/scenario/explorer';
import {
  ADDRESS_SPACE_BYTES,
  MAX_FILE_PAGES,
  MAX_MAP_COUNT,
  MAX_MEMORY_PAGES,
  MAX_RANGE_PAGES,
  MAX_RUN_STEPS,
} from '../../../src/scenario/limits';
import schema from '../../../src/scenario/mmscenario.schema.json';
import { machineFactory } from '../../../src/scenario/runner';
import { loadScenarioText, type Diagnostic } from '../../../src/scenario/scenarioFile';
import { parseSchedule, ScheduleError } from '../../../src/scenario/schedule';

const catalogue = { fault: ['2.5.70'], gup: ['gup-2.5.46'], release: ['put_page'], remap: ['2.6.13'] };

function scenario(opts: { pages?: string; ops?: string[]; schedule?: string; world?: string } = {}): string {
  return [
    'title: limits',
    'world:',
    `  files: [{name: f, pages: ${opts.pages ?? '4'}, fs: dfs}]`,
    '  nodes: [n0, n1]',
    '  mms: [{name: a, node: n0}]',
    ...(opts.world ? [opts.world] : []),
    'tasks:',
    '  - name: t',
    '    mm: a',
    '    ops:',
    ...(opts.ops ?? ['{op: mmap, addr: 0x40000000, pages: 1, prot: rw-, shared: true, file: f}', '{op: read, addr: 0x40000000}']).map(
      (o) => `      - ${o}`,
    ),
    '  - name: w',
    '    node: n1',
    '    ops: [{op: remote-write, file: f, page: 0}]',
    ...(opts.schedule ? [`schedule: ${opts.schedule}`] : []),
    'variants:',
    '  base: {fault: 2.5.70}',
    '',
  ].join('\n');
}

function load(text: string) {
  const t0 = performance.now();
  const r = loadScenarioText(text, 'l.mmscenario.yaml', { variants: catalogue });
  return { ...r, ms: performance.now() - t0 };
}

function errorsOf(d: Diagnostic[]): string[] {
  return d.filter((x) => x.severity === 'error').map((x) => `${x.line}:${x.column} ${x.message}`);
}

describe('scenario limits', () => {
  it('the schema states the limits the loader and the engine use', () => {
    const defs = schema.$defs as Record<string, { maximum?: number; oneOf?: { maximum?: number }[] }>;
    expect(defs.filePages.maximum).toBe(MAX_FILE_PAGES);
    expect(defs.fileIndex.maximum).toBe(MAX_FILE_PAGES - 1);
    expect(defs.rangePages.maximum).toBe(MAX_RANGE_PAGES);
    expect(defs.address.oneOf![0].maximum).toBe(ADDRESS_SPACE_BYTES - 1);
    const world = schema.properties.world.properties as Record<string, { maximum?: number }>;
    expect(world.memoryPages.maximum).toBe(MAX_MEMORY_PAGES);
    expect(world.maxMapCount.maximum).toBe(MAX_MAP_COUNT);
    expect((schema.properties.bounds.properties.steps as { maximum: number }).maximum).toBe(MAX_RUN_STEPS);
  });

  it("a 'name*N' schedule longer than the longest run is a located error, found without expanding N", () => {
    load(scenario()); // the schema compiles once
    const r = load(scenario({ schedule: '[t, "t*999999999999"]' }));
    expect(r.scenario).toBeUndefined();
    expect(errorsOf(r.diagnostics)).toEqual([
      `${r.diagnostics[0].line}:${r.diagnostics[0].column} schedule entry 't*999999999999' makes the schedule longer than ${MAX_RUN_STEPS} steps, the longest run the scheduler takes`,
    ]);
    expect(r.diagnostics[0].line).toBe(15);
    expect(r.ms).toBeLessThan(1000);
    // a thousand digits
    expect(load(scenario({ schedule: `["w*${'9'.repeat(1000)}"]` })).scenario).toBeUndefined();
    // within the limit it expands
    expect(load(scenario({ schedule: '["t*3", w]' })).scenario!.schedule).toEqual([0, 0, 0, 1]);
  });

  it('--schedule: the same bound, before allocating', () => {
    const t0 = performance.now();
    expect(() => parseSchedule('fault*999999999999', ['fault'])).toThrow(ScheduleError);
    expect(() => parseSchedule('fault*60000,fault*60000', ['fault'])).toThrow(/longer than 100000 steps/);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(parseSchedule('fault*2,0', ['fault'])).toEqual([0, 0, 0]);
  });

  it('file sizes and offsets beyond what the 2.6 page cache indexes name the limit', () => {
    const cases: [string, RegExp][] = [
      [
        scenario({ pages: '100000000000' }),
        /files.*pages 100000000000 is above the limit 2147483648 \(a file size in pages.*MAX_LFS_FILESIZE/,
      ],
      [
        scenario({ ops: ['{op: truncate, file: f, pages: 1e12}'] }),
        /op #0 \(truncate\) of task 't': pages 1e12 is above the limit 2147483648/,
      ],
      [
        scenario({ ops: ['{op: remote-write, file: f, page: 4294967296}'] }),
        /op #0 \(remote-write\) of task 't': page 4294967296 is above the limit 2147483647/,
      ],
      [
        scenario({ ops: ['{op: mmap, addr: 0x40000000, pages: 1, prot: rw-, file: f, pgoff: 2147483648}'] }),
        /pgoff 2147483648 is above the limit 2147483647/,
      ],
      [
        scenario({ ops: ['{op: touch, addr: 0x40000000, pages: 2000000}'] }),
        /pages 2000000 is above the limit 1048576 \(number of pages, at most 1048576 \(the 4 GB address space of i386\)\)/,
      ],
      [scenario({ world: '  memoryPages: 99999999999' }), /memoryPages 99999999999 is above the limit 16777216/],
    ];
    for (const [text, re] of cases) {
      const r = load(text);
      expect(r.scenario).toBeUndefined();
      expect(errorsOf(r.diagnostics).join('\n')).toMatch(re);
    }
  });

  it('addresses are exact and inside the 4 GB address space', () => {
    for (const a of ['0x10000000000000001', '"0x10000000000000001"', '18446744073709551617', '0x100000000', '4294967296']) {
      const r = load(scenario({ ops: ['{op: mmap, addr: 0x40000000, pages: 1, prot: rw-, file: f}', `{op: read, addr: ${a}}`] }));
      expect(r.scenario, a).toBeUndefined();
      const msg = errorsOf(r.diagnostics).join('\n');
      expect(msg).toMatch(/expected a byte address of the modelled i386 machine, below 4 GB/);
      // the value as written, not as a double rounded it
      expect(msg).toContain(a.replace(/"/g, "'"));
    }
    // the last byte is an address; a range must end inside
    expect(load(scenario({ ops: ['{op: read, addr: 0xffffffff}'] })).scenario).toBeDefined();
    expect(load(scenario({ ops: ['{op: read, addr: "0x00000000ffffffff"}'] })).scenario).toBeDefined();
    const r = load(scenario({ ops: ['{op: touch, addr: 0xfffff000, pages: 2}'] }));
    expect(errorsOf(r.diagnostics).join('\n')).toMatch(/2 pages from 0xfffff000 end beyond the 4 GB address space/);
  });

  it('flow nesting deeper than 500 levels is refused before the YAML reader recurses into it', () => {
    const deep = load(`title: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    expect(deep.ms).toBeLessThan(2000);
    expect(errorsOf(deep.diagnostics)).toEqual(['1:508 YAML: nested more than 500 levels deep']);
    // 500 levels are read (and are not a title); brackets in quotes and comments do not count
    const ok = load(`title: ${'['.repeat(500)}${']'.repeat(500)}\n`);
    expect(errorsOf(ok.diagnostics).join('\n')).toMatch(/title: expected string, found a list/);
    const quoted = scenario().replace(
      'title: limits',
      `title: "${'['.repeat(600)}" # ${'{'.repeat(600)}\ndescription: '${'{'.repeat(600)}'`,
    );
    expect(errorsOf(load(quoted).diagnostics)).toEqual([]);
  });

  it('a file as big as the page cache indexes runs: its backing store is sparse', () => {
    const text = scenario({
      pages: String(MAX_FILE_PAGES),
      ops: [
        '{op: mmap, addr: 0x40000000, pages: 4, prot: rw-, shared: true, file: f, pgoff: 2147483640}',
        '{op: write, addr: 0x40003000}',
        '{op: remote-write, file: f, page: 2147483647}',
        '{op: truncate, file: f, pages: 2147483000}',
        '{op: truncate, file: f, pages: 2147483648}',
      ],
    });
    const r = load(text);
    expect(errorsOf(r.diagnostics)).toEqual([]);
    const t0 = performance.now();
    const run = runSchedule(machineFactory(r.scenario!, r.scenario!.columns[0].selection, true), {});
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(run.done).toBe(true);
    const snap = run.machine.snapshot();
    expect(snap.files[0].size).toBe(MAX_FILE_PAGES);
    // the snapshot lists the first pages only
    expect(snap.files[0].versions.length).toBe(4096);
    expect(run.machine.results.map((x) => x.result)).toContain('0');
  });
});
