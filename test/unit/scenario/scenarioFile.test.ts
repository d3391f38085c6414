import { describe, expect, it } from 'vitest';

import type { OpSpec } from '../../../src/engine/sim/spec';
import schema from '../../../src/scenario/mmscenario.schema.json';
import { formatDiagnostic, loadScenarioText, validateScenarioText } from '../../../src/scenario/scenarioFile';

const catalogue = { fault: ['2.5.70', 'install_new_page'], gup: ['gup-2.5.46'], release: ['put_page'], remap: ['2.6.13'] };

const GOOD = `title: tiny
description: one fault
world:
  nodes: [n0, n1]
  files: [{name: f, pages: 2, fs: dfs}]
  mms: [{name: A, node: n0}]
tasks:
  - name: reader
    mm: A
    ops:
      - {op: mmap, addr: 0x10000, pages: 2, prot: rw-, shared: true, file: f}
      - {op: read, addr: 0x10004}
  - name: writer
    node: n1
    ops:
      - {op: remote-write, file: f, page: 0}
variants:
  2.5.70: {fault: 2.5.70}
  fixed: {fault: install_new_page}
schedule: [reader, 1, "writer*2"]
bounds: {steps: 300}
expect:
  2.5.70: {violation: stale-pte}
  fixed:
    never: [stale-pte, oops]
    results:
      - {task: reader, op: 1, result: VM_FAULT_MAJOR}
`;

/** the diagnostics of `text` as "line:col message" */
function diags(text: string) {
  return validateScenarioText(text, 's.mmscenario.yaml', { variants: catalogue });
}

/** 1-based line and column of the first occurrence of `needle` in `text` */
function posOf(text: string, needle: string) {
  const i = text.indexOf(needle);
  expect(i).toBeGreaterThanOrEqual(0);
  const before = text.slice(0, i).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

describe('loading a scenario', () => {
  it('turns a valid file into a Scenario with numeric addresses and schedule indices', () => {
    const r = loadScenarioText(GOOD, 's.yaml', { variants: catalogue });
    expect(r.diagnostics).toEqual([]);
    const s = r.scenario!;
    expect(s.world.tasks[0].ops[0]).toMatchObject({ op: 'mmap', addr: 0x10000, pages: 2, prot: 'rw-', shared: true, file: 'f' });
    expect(s.world.tasks[0].ops[1]).toEqual({ op: 'read', addr: 0x10004 });
    expect(s.world.tasks[1]).toMatchObject({ name: 'writer', node: 'n1' });
    expect(s.columns).toEqual([
      { label: '2.5.70', selection: { fault: '2.5.70' } },
      { label: 'fixed', selection: { fault: 'install_new_page' } },
    ]);
    expect(s.schedule).toEqual([0, 1, 1, 1]);
    expect(s.bounds).toEqual({ steps: 300 });
    expect(s.expect['2.5.70'].violation).toEqual(['stale-pte']);
    expect(s.expect.fixed.never).toEqual(['stale-pte', 'oops']);
    expect(s.expect.fixed.pos).toEqual(posOf(GOOD, 'fixed:\n    never'));
  });

  it('accepts hex strings for addresses', () => {
    const r = loadScenarioText(GOOD.replace('addr: 0x10004', 'addr: "0x10008"'), 's.yaml', { variants: catalogue });
    expect(r.scenario!.world.tasks[0].ops[1]).toEqual({ op: 'read', addr: 0x10008 });
  });
});

describe('errors name file:line:column and what was expected', () => {
  it('an unknown operation, at the op value, listing the operations', () => {
    const text = GOOD.replace('{op: read,', '{op: raed,');
    const d = diags(text);
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject(posOf(text, 'raed'));
    expect(d[0].message).toMatch(/unknown operation 'raed' in op #1 \(raed\) of task 'reader'; expected one of: mmap, munmap/);
    expect(formatDiagnostic(d[0])).toMatch(/^s\.mmscenario\.yaml:12:14: error: unknown operation/);
  });

  it('an unknown field of an op, at its key, listing the allowed fields', () => {
    const text = GOOD.replace('{op: read, addr: 0x10004}', '{op: read, addr: 0x10004, wirte: true}');
    const d = diags(text);
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject(posOf(text, 'wirte'));
    expect(d[0].message).toBe("unknown field 'wirte' in op #1 (read) of task 'reader'; expected one of: op, addr");
  });

  it('an unknown top-level field', () => {
    const text = GOOD + 'expected: {}\n';
    const d = diags(text);
    expect(d[0]).toMatchObject(posOf(text, 'expected:'));
    expect(d[0].message).toMatch(/unknown field 'expected' in the scenario; expected one of: title, description/);
  });

  it('a bad address and a bad protection', () => {
    const text = GOOD.replace('addr: 0x10004', 'addr: 0xzz').replace('prot: rw-', 'prot: rwz');
    const d = diags(text);
    expect(d.map((x) => x.message)).toEqual([
      "op #0 (mmap) of task 'reader': 'rwz' is not a protection such as rw-, r--, r-x, ---",
      "op #1 (read) of task 'reader': expected a byte address of the modelled i386 machine, below 4 GB: a number up to 4294967295 or a hex string of at most 8 digits such as 0x10000, found '0xzz'",
    ]);
    expect(d[0]).toMatchObject(posOf(text, 'rwz'));
    expect(d[1]).toMatchObject(posOf(text, '0xzz'));
  });

  it('a missing required field, at the enclosing mapping', () => {
    const text = GOOD.replace('{op: remote-write, file: f, page: 0}', '{op: remote-write, file: f}');
    const d = diags(text);
    expect(d).toHaveLength(1);
    expect(d[0].message).toBe("missing field 'page' in op #0 (remote-write) of task 'writer'");
    expect(d[0]).toMatchObject(posOf(text, '{op: remote-write'));
  });

  it('an unknown variant name and an unknown API family', () => {
    const text = GOOD.replace('fixed: {fault: install_new_page}', 'fixed: {fault: install-new-page}').replace(
      '2.5.70: {fault: 2.5.70}',
      '2.5.70: {fault: 2.5.70, faults: x}',
    );
    const d = diags(text);
    expect(d.map((x) => x.message)).toEqual([
      "unknown API family 'faults' in variant '2.5.70'; expected one of: fault, gup, release, remap, mutation",
    ]);
    const d2 = diags(GOOD.replace('fixed: {fault: install_new_page}', 'fixed: {fault: install-new-page}'));
    expect(d2).toHaveLength(1);
    expect(d2[0].message).toBe(
      "unknown fault variant 'install-new-page' in column 'fixed' (did you mean 'install_new_page'?); known: 2.5.70, install_new_page",
    );
    expect(d2[0]).toMatchObject(
      posOf(GOOD.replace('fixed: {fault: install_new_page}', 'fixed: {fault: install-new-page}'), 'install-new-page'),
    );
  });

  it('an expect block for a column that does not exist', () => {
    const text = GOOD.replace('  2.5.70: {violation: stale-pte}', '  2.5.71: {violation: stale-pte}');
    const d = diags(text);
    expect(d).toHaveLength(1);
    expect(d[0].message).toMatch(
      /expect names '2\.5\.71', which is not a column of 'variants' \(did you mean '2\.5\.70'\?\) \(2\.5\.70, fixed\)/,
    );
    expect(d[0]).toMatchObject(posOf(text, '2.5.71'));
  });

  it('names that refer to nothing: file, address space, node, task, page set', () => {
    const text = GOOD.replace('file: f}', 'file: g}')
      .replace('mm: A', 'mm: B')
      .replace('node: n1', 'node: n2')
      .replace('"writer*2"', '"wrter*2"');
    const msgs = diags(text).map((x) => x.message);
    expect(msgs).toContain("unknown address space 'B'; declared: A");
    expect(msgs).toContain("unknown DFS node 'n2'; declared: n0, n1");
    expect(msgs).toContain("unknown file 'g'; declared: f");
    expect(msgs.some((m) => m.startsWith("schedule entry 'wrter' is not a task"))).toBe(true);
    const t2 = GOOD.replace('{op: remote-write, file: f, page: 0}', '{op: release, pages: bufs, fn: put_page}');
    expect(diags(t2).map((x) => x.message)).toEqual(["unknown page set 'bufs': no gup/walk/get-one-page op names it with 'as'"]);
  });

  it('a hugetlbfs file whose size is not whole huge pages, and VM_HUGETLB on a file of another filesystem, at their places', () => {
    const huge = `title: huge
description: hugetlbfs
world:
  files:
    - {name: h, pages: 100, fs: hugetlbfs}
    - {name: plain, pages: 1}
  mms: [{name: A}]
tasks:
  - name: t
    mm: A
    ops:
      - {op: mmap, addr: 0x400000, pages: 512, prot: rw-, shared: true, file: plain, flags: [MAP_SHARED, VM_HUGETLB]}
      - {op: mmap, addr: 0x800000, pages: 512, prot: rw-, shared: true, file: h}
      - {op: truncate, file: h, pages: 0}
variants:
  2.5.70: {fault: 2.5.70}
`;
    const d = diags(huge);
    expect(d.map((x) => x.message)).toEqual([
      "file 'h' is on hugetlbfs, whose size is a whole number of huge pages (512 pages of 4096 bytes); 100 is not",
      "op #0 (mmap) of task 't': VM_HUGETLB comes from hugetlbfs (hugetlbfs_file_mmap), and 'plain' is not on hugetlbfs; declare it with fs: hugetlbfs or drop the flag",
    ]);
    expect(d[0]).toMatchObject(posOf(huge, '100, fs'));
    expect(d[1]).toMatchObject(posOf(huge, 'VM_HUGETLB]'));
    expect(diags(huge.replace('pages: 100', 'pages: 1024').replace(', VM_HUGETLB]', ']'))).toEqual([]);
  });

  it('unaligned mmap addresses, and a result for an op that does not exist', () => {
    const text = GOOD.replace('addr: 0x10000, pages: 2', 'addr: 0x10010, pages: 2').replace(
      '{task: reader, op: 1,',
      '{task: reader, op: 5,',
    );
    const msgs = diags(text).map((x) => x.message);
    expect(msgs).toContain("op #0 (mmap) of task 'reader': address 0x10010 is not page aligned (4096 bytes)");
    expect(msgs).toContain("task 'reader' has 2 ops (#0 to #1); op 5 does not exist");
  });

  it('YAML syntax errors and duplicate keys carry positions', () => {
    const d = diags(GOOD.replace('title: tiny', 'title: [tiny'));
    expect(d.length).toBeGreaterThan(0);
    expect(d[0].message).toMatch(/^YAML: /);
    const dup = GOOD.replace('description: one fault', 'description: one fault\ntitle: again');
    const dd = diags(dup);
    expect(dd[0].message).toMatch(/YAML: .*unique/i);
    expect(dd[0].line).toBe(3);
  });

  it('a document that is not a mapping', () => {
    expect(diags('- a\n- b\n')[0].message).toMatch(/must be a YAML mapping/);
    expect(diags('')[0].message).toMatch(/must be a YAML mapping/);
  });

  it('a schedule taken from a column that does not exist', () => {
    const ok = loadScenarioText(
      GOOD.replace('schedule: [reader, 1, "writer*2"]', 'schedule: {counterexampleOf: 2.5.70, invariant: stale-pte}'),
      's.yaml',
      { variants: catalogue },
    );
    expect(ok.diagnostics).toEqual([]);
    expect(ok.scenario!.scheduleFrom).toEqual({ column: '2.5.70', invariant: 'stale-pte' });
    expect(ok.scenario!.schedule).toBeUndefined();
    const text = GOOD.replace('schedule: [reader, 1, "writer*2"]', 'schedule: {counterexampleOf: 2.6}');
    const d = diags(text);
    expect(d.map((x) => x.message)).toEqual(["schedule: '2.6' is not a column of 'variants' (2.5.70, fixed)"]);
    expect(d[0]).toMatchObject(posOf(text, '2.6}'));
  });

  it('contradictory expectations', () => {
    const text = GOOD.replace('  2.5.70: {violation: stale-pte}', '  2.5.70: {violation: stale-pte, never: any}');
    expect(diags(text).map((x) => x.message)).toEqual(["expect '2.5.70' asks both violation and never for stale-pte"]);
  });
});

/** the OpSpec branch of one operation (read/write/exec share a branch) */
type OpOf<O extends OpSpec['op']> = OpSpec extends infer T ? (T extends { op: infer K } ? (O extends K ? T : never) : never) : never;

describe('the schema follows the engine contract', () => {
  // every OpSpec field, per operation; the type checks below fail to compile when spec.ts changes
  const FIELDS = {
    mmap: ['op', 'addr', 'pages', 'prot', 'shared', 'file', 'pgoff', 'flags', 'as'],
    munmap: ['op', 'addr', 'pages'],
    mprotect: ['op', 'addr', 'pages', 'prot'],
    read: ['op', 'addr'],
    write: ['op', 'addr'],
    exec: ['op', 'addr'],
    touch: ['op', 'addr', 'pages', 'write'],
    truncate: ['op', 'file', 'pages'],
    'remote-write': ['op', 'file', 'page'],
    invalidate: ['op', 'file', 'page', 'pages'],
    gup: ['op', 'addr', 'pages', 'write', 'force', 'as'],
    walk: ['op', 'addr', 'pages', 'write', 'walker', 'failAt', 'as', 'writtenFor'],
    'get-one-page': ['op', 'addr', 'write', 'as'],
    'dma-write': ['op', 'pages'],
    release: ['op', 'pages', 'fn', 'holding'],
    writeback: ['op', 'file', 'page'],
    remap: ['op', 'addr', 'pages', 'pgoff', 'prot', 'flags'],
    'swap-out': ['op', 'addr', 'pages'],
    sleep: ['op'],
    fork: ['op', 'as'],
    kswapd: ['op', 'passes'],
    madvise: ['op', 'addr', 'pages', 'advice'],
    mremap: ['op', 'addr', 'pages', 'newPages', 'flags', 'newAddr'],
  } as const satisfies { [O in OpSpec['op']]: readonly (keyof OpOf<O>)[] };
  type Listed<O extends OpSpec['op']> = (typeof FIELDS)[O][number];
  // true only when every field of the OpSpec branch is listed
  const complete: { [O in OpSpec['op']]: [keyof OpOf<O>] extends [Listed<O>] ? true : false } = {
    mmap: true,
    munmap: true,
    mprotect: true,
    read: true,
    write: true,
    exec: true,
    touch: true,
    truncate: true,
    'remote-write': true,
    invalidate: true,
    gup: true,
    walk: true,
    'get-one-page': true,
    'dma-write': true,
    release: true,
    writeback: true,
    remap: true,
    'swap-out': true,
    sleep: true,
    fork: true,
    kswapd: true,
    madvise: true,
    mremap: true,
  };

  it('has one branch per operation with exactly the fields of OpSpec', () => {
    expect(Object.values(complete).every(Boolean)).toBe(true);
    const branches = (schema as { $defs: { op: { oneOf: { properties: Record<string, unknown> }[] } } }).$defs.op.oneOf;
    const fromSchema = Object.fromEntries(
      branches.map((b) => [(b.properties.op as { const: string }).const, Object.keys(b.properties).sort()]),
    );
    const fromSpec = Object.fromEntries(Object.entries(FIELDS).map(([k, v]) => [k, [...v].sort()]));
    expect(fromSchema).toEqual(fromSpec);
  });
});

describe('fork names an address space', () => {
  const FORK = `title: fork
world:
  mms: [{name: p}]
tasks:
  - name: parent
    mm: p
    ops:
      - {op: mmap, addr: 0x10000, pages: 1, prot: rw-}
      - {op: fork, as: c}
  - name: child
    mm: c
    ops:
      - {op: read, addr: 0x10000}
variants:
  base: {fault: 2.5.70}
`;
  it('a task may run in the mm a fork creates', () => {
    expect(diags(FORK)).toEqual([]);
  });
  it('fork onto a declared mm, a fork without an mm, and a fork without `as` are errors at their place', () => {
    expect(diags(FORK.replace('{op: fork, as: c}', '{op: fork, as: p}')).map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([
      "9:24 op #1 (fork) of task 'parent': fork as 'p', which is already an address space",
      "11:9 unknown address space 'c'; declared: p",
    ]);
    expect(
      diags(FORK.replace('    mm: p\n    ops:\n      - {op: mmap, addr: 0x10000, pages: 1, prot: rw-}\n', '    ops:\n')).map(
        (d) => d.message,
      ),
    ).toEqual(["op #0 (fork) of task 'parent': fork needs a task with an address space (mm)"]);
    expect(diags(FORK.replace('{op: fork, as: c}', '{op: fork}')).map((d) => d.message)).toEqual([
      "missing field 'as' in op #1 (fork) of task 'parent'",
    ]);
  });
});

describe('CPUs', () => {
  const CPUS = `title: tlb
world:
  cpus: [cpu0, cpu1]
  mms: [{name: p}]
tasks:
  - name: t
    mm: p
    cpu: cpu1
    ops:
      - {op: mmap, addr: 0x10000, pages: 1, prot: rw-}
variants:
  base: {fault: 2.5.70}
`;
  it('a task names one of world.cpus; an unknown CPU is an error at its place', () => {
    expect(diags(CPUS)).toEqual([]);
    expect(diags(CPUS.replace('cpu: cpu1', 'cpu: cpu7')).map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([
      "8:10 unknown CPU 'cpu7' (did you mean 'cpu0'?); declared: cpu0, cpu1",
    ]);
  });
});

describe('every name in a scenario is checked against the engine catalogue, with a hint', () => {
  const only = (text: string) => diags(text).map((d) => ({ message: d.message, line: d.line, column: d.column }));

  it('a misspelled invariant in violation: is an error at its place, not a silently held invariant', () => {
    const text = GOOD.replace('{violation: stale-pte}', '{violation: stale-ptee}');
    const d = only(text);
    expect(d).toHaveLength(1);
    expect(d[0].message).toBe("unknown invariant 'stale-ptee' (did you mean 'stale-pte'?)");
    expect(d[0]).toMatchObject(posOf(text, 'stale-ptee'));
    expect(loadScenarioText(text, 's.yaml', { variants: catalogue }).scenario).toBeUndefined();
  });

  it('a misspelled invariant in a never: list, located on the list item; never: any stays valid', () => {
    const text = GOOD.replace('never: [stale-pte, oops]', 'never: [stale-pte, opps]');
    const d = only(text);
    expect(d.map((x) => x.message)).toEqual(["unknown invariant 'opps' (did you mean 'oops'?)"]);
    expect(d[0]).toMatchObject(posOf(text, 'opps'));
    expect(only(GOOD.replace('never: [stale-pte, oops]', 'never: any'))).toEqual([]);
    // 'any' is not an invariant a violation can be expected of
    expect(only(GOOD.replace('{violation: stale-pte}', '{violation: any}'))[0].message).toMatch(
      /^unknown invariant 'any'; the engine checks: stale-pte, /,
    );
  });

  it('a name far from every invariant lists the catalogue instead of guessing', () => {
    const d = only(GOOD.replace('{violation: stale-pte}', '{violation: racy-thing}'));
    expect(d[0].message).toMatch(/^unknown invariant 'racy-thing'; the engine checks: .*put_page-on-pinned/);
  });

  it('the invariant of a counterexample schedule', () => {
    const text = GOOD.replace('schedule: [reader, 1, "writer*2"]', 'schedule: {counterexampleOf: 2.5.70, invariant: stale_pte}');
    const d = only(text);
    expect(d.map((x) => x.message)).toEqual(["unknown invariant 'stale_pte' (did you mean 'stale-pte'?)"]);
    expect(d[0]).toMatchObject(posOf(text, 'stale_pte'));
  });

  it('a task name in results and signals, located on the task field', () => {
    const text = GOOD.replace('{task: reader, op: 1,', '{task: reder, op: 1,');
    const d = only(text);
    expect(d.map((x) => x.message)).toEqual(["unknown task 'reder' (did you mean 'reader'?); tasks: reader, writer"]);
    expect(d[0]).toMatchObject(posOf(text, 'reder'));
    const t2 = GOOD.replace('    results:\n', '    signals: [{task: writter, signal: none}]\n    results:\n');
    expect(only(t2).map((x) => x.message)).toEqual(["unknown task 'writter' (did you mean 'writer'?); tasks: reader, writer"]);
  });

  it("an op index past the task's ops, located on the op field", () => {
    const text = GOOD.replace('{task: reader, op: 1,', '{task: reader, op: 2,');
    const d = only(text);
    expect(d.map((x) => x.message)).toEqual(["task 'reader' has 2 ops (#0 to #1); op 2 does not exist"]);
    expect(d[0]).toMatchObject(posOf(text, 'op: 2') && { line: posOf(text, 'op: 2').line, column: posOf(text, 'op: 2').column + 4 });
  });

  it('a variant name and an API family with hints', () => {
    expect(only(GOOD.replace('{fault: install_new_page}', '{fault: install_new_pages}'))[0].message).toContain(
      "(did you mean 'install_new_page'?)",
    );
    expect(only(GOOD.replace('{fault: install_new_page}', '{fualt: install_new_page}'))[0].message).toMatch(/unknown API family 'fualt'/);
  });

  it('lock names and lock verbs in lockOps', () => {
    const withLock = (lock: string) => GOOD.replace('    results:\n', `    lockOps: [{lock: "${lock}", count: 1}]\n    results:\n`);
    expect(only(withLock('spin_lock(page_table_lock)'))).toEqual([]);
    expect(only(withLock('down_read(mmap_sem)'))).toEqual([]);
    expect(only(withLock('lock_page(page_lock(pfn 3))'))).toEqual([]);
    const bad = only(withLock('spin_lock(page_table_lok)'));
    expect(bad.map((x) => x.message)).toEqual([
      expect.stringMatching(
        /^unknown lock 'page_table_lok' in 'spin_lock\(page_table_lok\)' \(did you mean 'spin_lock\(page_table_lock\)'\?\)/,
      ),
    ]);
    expect(bad[0]).toMatchObject(posOf(withLock('spin_lock(page_table_lok)'), '"spin_lock(page_table_lok)"'));
    expect(only(withLock('down_read(page_table_lock)'))[0].message).toBe(
      "'down_read' is not an operation on page_table_lock; page_table_lock takes spin_lock, spin_unlock",
    );
    expect(only(withLock('page_table_lock'))[0].message).toMatch(/is not a lock operation such as spin_lock\(page_table_lock\)/);
  });

  it('a driver lock the scenario names with holding: is a lock lockOps may count', () => {
    const text = GOOD.replace(
      '{op: remote-write, file: f, page: 0}',
      '{op: gup, addr: 0x10000, pages: 1, as: p}\n      - {op: release, pages: p, fn: put_page, holding: drv_lock}',
    ).replace(
      '    results:\n',
      '    lockOps: [{lock: "spin_lock(drv_lock)", count: 1}, {lock: "spin_lock(drv_lok)", count: 1}]\n    results:\n',
    );
    expect(
      only(text)
        .map((x) => x.message)
        .filter((m) => /lock/.test(m)),
    ).toEqual([expect.stringMatching(/^unknown lock 'drv_lok' .*did you mean 'spin_lock\(drv_lock\)'/)]);
  });

  it('the bundled scenarios use only names the engine knows', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { loadScenario } = await import('../../../src/scenario/runner');
    const dir = new URL('../../../scenarios/', import.meta.url);
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.mmscenario.yaml'))) {
      const r = loadScenario(readFileSync(new URL(f, dir), 'utf8'), f);
      expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    }
  });
});
