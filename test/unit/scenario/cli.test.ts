// mmx commands through main(): output and exit codes (0 met, 1 an expectation failed, 2 bad input).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { Comparison } from '../../../src/scenario/comparisonModel';
import type { Exploration } from '../../../src/scenario/explorationModel';
import { mmx } from '../mmx';

const root = join(__dirname, '../../..');
const DFS = join(root, 'scenarios/dfs-race.mmscenario.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'mmx-test-'));

function scenarioWith(name: string, edit: (text: string) => string): string {
  const f = join(tmp, name);
  writeFileSync(f, edit(readFileSync(DFS, 'utf8')));
  return f;
}

describe('mmx', () => {
  it('version and help', async () => {
    expect((await mmx('version')).out).toMatch(/^mmx \d+\.\d+\.\d+/);
    expect((await mmx('help')).out).toMatch(/explore FILE/);
    expect((await mmx('version', 'x')).code).toBe(2);
  });

  it('bad input exits 2: unknown command, unknown option, missing file, invalid scenario, impossible schedule', async () => {
    expect((await mmx('frobnicate')).code).toBe(2);
    const o = await mmx('explore', DFS, '--bogus');
    expect(o.code).toBe(2);
    expect(o.err).toMatch(/bogus/);
    const missing = await mmx('run', join(tmp, 'nope.mmscenario.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/nope\.mmscenario\.yaml:1:1: error: cannot read/);
    const bad = scenarioWith('bad.mmscenario.yaml', (t) => t.replace('{op: read,', '{op: raed,'));
    const v = await mmx('validate', bad);
    expect(v.code).toBe(2);
    expect(v.out).toMatch(/bad\.mmscenario\.yaml:\d+:\d+: error: unknown operation 'raed'/);
    expect((await mmx('explore', bad)).code).toBe(2);
    // task 1 cannot take 500 steps
    const s = await mmx('run', DFS, '--variant', '2.5.70', '--schedule', '1*500');
    expect(s.code).toBe(2);
    expect(s.err).toMatch(/cannot run/);
    expect((await mmx('run', DFS, '--variant', 'no-such-column')).code).toBe(2);
    expect((await mmx('run', DFS, '--variant', 'fault=nope')).code).toBe(2);
  });

  it('validate accepts the bundled library', async () => {
    const r = await mmx('validate', join(root, 'scenarios'));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/dfs-race\.mmscenario\.yaml: ok/);
  });

  it('explore --no-sleep-sets says when it changes nothing (the default reduction is not the state search)', async () => {
    const plain = await mmx('explore', DFS, '--variant', 'install_new_page', '--no-sleep-sets', '--json');
    expect(plain.code).toBe(0);
    expect(plain.err).toContain('--no-sleep-sets has no effect here');
    // dfs-race has no preemption bound: the state search takes every step
    const state = await mmx('explore', DFS, '--variant', 'install_new_page', '--reduction', 'state', '--no-sleep-sets', '--json');
    expect(state.code).toBe(0);
    expect(state.err).not.toContain('--no-sleep-sets');
  });

  it('explore --json: stable fields, a replayable counterexample for 2.5.70, complete for the fix', async () => {
    const r = await mmx('explore', DFS, '--variant', '2.5.70', '--variant', 'install_new_page', '--json');
    expect(r.code).toBe(0);
    const lines = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Exploration);
    expect(lines.map((l) => l.variant)).toEqual(['2.5.70', 'install_new_page']);
    for (const l of lines) for (const k of ['variant', 'schedules', 'states', 'complete', 'violations']) expect(l).toHaveProperty(k);
    const stale = lines[0].violations.find((v) => v.invariant === 'stale-pte')!;
    expect(stale.schedule.length).toBeGreaterThan(0);
    expect(lines[1].complete).toBe(true);
    expect(lines[1].violations.map((v) => v.invariant)).not.toContain('stale-pte');
    const replay = await mmx('run', DFS, '--variant', '2.5.70', '--schedule', stale.schedule.join(','), '--json');
    const run = JSON.parse(replay.out.trim()) as { violations: { invariant: string }[] };
    expect(run.violations.map((v: { invariant: string }) => v.invariant)).toContain('stale-pte');
    // a violation in this run contradicts nothing: 2.5.70 expects it
    expect(replay.code).toBe(0);
  });

  it('an expectation that fails exits 1', async () => {
    const wrong = scenarioWith('wrong.mmscenario.yaml', (t) =>
      t.replace('  2.5.70:\n    violation: stale-pte', '  2.5.70:\n    never: stale-pte'),
    );
    const r = await mmx('explore', wrong, '--variant', '2.5.70');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAILED {2}expect never: stale-pte/);
    const c = await mmx('check', wrong);
    expect(c.code).toBe(1);
    expect(c.out).toMatch(/FAILED/);
  });

  it('compare --html writes a self-contained, escaped report', async () => {
    const evil = scenarioWith('evil.mmscenario.yaml', (t) => t.replace(/^title: .*$/m, 'title: "<script>alert(1)</script> & co"'));
    const out = join(tmp, 'report.html');
    const r = await mmx('compare', evil, '--html', out);
    expect(r.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; co');
    expect(html).toMatch(/Content-Security-Policy/);
    expect(html).toMatch(/stale-pte/);
  });

  it('compare --json is the Comparison model', async () => {
    const r = await mmx('compare', DFS, '--json');
    expect(r.code).toBe(0);
    const c = JSON.parse(r.out) as Comparison & { ok: boolean };
    expect(c.ok).toBe(true);
    expect(c.runs.map((x) => x.label)).toEqual(['2.5.70', 'install_new_page', 'install_new_page-hch', 'truncate-seq']);
    expect(c.invariants.find((x) => x.invariant === 'stale-pte')?.explored?.[0]).toBe('violated');
  });

  it('compare: a card whose run is not the scenario default schedule says its results lines were checked on that one', async () => {
    // mremap-truncate names no schedule: its results are written for the default order, while the
    // columns share the counterexample of 'no mapping lock', in which 2.6.11's read of the moved page gets SIGBUS
    const file = join(root, 'scenarios/mremap-truncate.mmscenario.yaml');
    const j = await mmx('compare', file, '--variant', 'no mapping lock', '--variant', '2.6.11', '--json');
    expect(j.code).toBe(0);
    const c = JSON.parse(j.out) as Comparison;
    expect(c.schedule?.source).toMatch(/^counterexample of no mapping lock/);
    const modern = c.runs.find((r) => r.label === '2.6.11')!;
    expect(modern.results.find((r) => r.task === 'app' && r.index === 5)?.signal).toBe('SIGBUS');
    const read = modern.expectations.find((x) => x.text === 'result app#5 = no fault')!;
    expect(read).toMatchObject({
      scope: 'run',
      on: 'default order',
      met: true,
      detail: 'read: no fault',
      shown: { same: false, met: false, detail: 'read: SIGBUS' },
    });
    expect(modern.expectations.find((x) => x.text === 'never: any')?.scope).toBe('all schedules');
    expect(c.runs[0].expectations.find((x) => x.text === 'violation: stale-pte')?.scope).toBe('some schedule');
    const t = await mmx('compare', file, '--variant', 'no mapping lock', '--variant', '2.6.11');
    expect(t.out).toContain(
      'met     expect result app#5 = no fault [default order, not the run shown]: read: no fault; the run shown: read: SIGBUS (not met there)',
    );
    expect(t.out).toMatch(/met {5}expect never: any \[all schedules\]: no schedule violates it/);
    // run shows the default schedule: the same entries are about the run it prints
    const run = await mmx('run', file, '--variant', '2.6.11', '--no-trace');
    expect(run.out).toContain('met     expect result app#5 = no fault [this run: default order]: read: no fault');
  });

  it('analyze is wired to the patch analyser', async () => {
    expect((await mmx('analyze', join(tmp, 'missing.patch'))).code).toBe(2);
    const r = await mmx('analyze', join(root, 'test/fixtures/patch/seeds/003_c639fba1cd99ad68.txt'), '--json');
    expect(r.code).toBe(0);
    expect(() => {
      JSON.parse(r.out);
    }).not.toThrow();
  });

  it('check runs the bundled library: every expectation met', async () => {
    const r = await mmx('check', join(root, 'scenarios'), '--json');
    const report = JSON.parse(r.out) as {
      scenarios: { file: string; columns: { variant: string; expectations: { met: boolean; text: string; detail: string }[] }[] }[];
    };
    const failed = report.scenarios.flatMap((s) =>
      s.columns.flatMap((c) => c.expectations.filter((e) => !e.met).map((e) => `${s.file} ${c.variant}: ${e.text}: ${e.detail}`)),
    );
    expect(failed).toEqual([]);
    expect(r.code).toBe(0);
    const files = report.scenarios.map((s) => s.file.split('/').pop());
    for (const f of [
      'dfs-race',
      'truncate-race',
      'anon-fault',
      'gup-walk',
      'dma-pin',
      'uml-remap',
      'two-faulters',
      'gup-fault-race',
      'munmap-fault',
      'cow-truncate',
      'fork-cow',
      'mremap-truncate',
      'reclaim-race',
      'tlb-gather',
    ])
      expect(files).toContain(`${f}.mmscenario.yaml`);
  }, 180_000);

  it('variants and scenarios list the catalogue and the library', async () => {
    const v = JSON.parse((await mmx('variants', '--json')).out) as { name: string }[];
    expect(v.map((x) => x.name)).toEqual(expect.arrayContaining(['2.5.70', 'install_new_page', 'truncate-seq']));
    const text = (await mmx('variants')).out;
    // the era each kernel function follows, per variant
    expect(text).toMatch(/fault\/2\.5\.70\s+do_no_page\s+2\.5\.70 mm\/memory\.c/);
    expect(text).toMatch(/fault\/install_new_page\s+install_new_page\s+2\.5\.70-mm2/);
    const s = await mmx('scenarios', join(root, 'scenarios'), '--json');
    expect(s.code).toBe(0);
    expect((JSON.parse(s.out) as { file: string }[]).some((x) => x.file.includes('dfs'))).toBe(true);
  });
});

describe('mmx run', () => {
  it('a violation in the run breaks a never expectation of its column: exit 1, named', async () => {
    const wrong = scenarioWith('never.mmscenario.yaml', (t) =>
      t.replace('  2.5.70:\n    violation: stale-pte', '  2.5.70:\n    never: stale-pte'),
    );
    const r = await mmx('run', wrong, '--variant', '2.5.70', '--schedule', 'fault*25,remote', '--no-trace');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAILED {2}expect never: stale-pte \[all schedules\]: violated in this run: stale-pte/);
    // the same schedule under a column that expects the violation is fine
    expect((await mmx('run', DFS, '--variant', '2.5.70', '--schedule', 'fault*25,remote', '--no-trace')).code).toBe(0);
  });
});
