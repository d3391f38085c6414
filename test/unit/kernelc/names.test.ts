// `mmx kernelc names`: the names a function set needs from an era's bindings, bound or not.
// The JSON of the fault path is pinned in golden/ (MMX_UPDATE_GOLDEN=1 rewrites it; review the diff).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { NamesReport } from '../../../src/kernelc/index';
import type { Comparison } from '../../../src/scenario/comparisonModel';
import { mmx } from '../mmx';

import { FIXTURES, ROOT } from './helpers';

/** what `mmx kernelc compare --json` prints: the comparison plus the interpreted column */
type CompareJson = Comparison & { ok: boolean; interpreted: Record<string, unknown> };

const MEMORY = relative(process.cwd(), join(FIXTURES, 'mm', 'memory.c'));

describe('mmx kernelc names', () => {
  it('the interpreted fault path needs only bound names (JSON pinned)', async () => {
    const r = await mmx('kernelc', 'names', MEMORY, 'handle_pte_fault', 'do_no_page', 'do_anonymous_page', '--era', '2.6.11', '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as NamesReport;
    j.file = relative(ROOT, join(process.cwd(), j.file));
    expect(j.unbound).toEqual([]);
    expect(j.functions.map((f) => f.name)).toEqual(['do_anonymous_page', 'do_no_page', 'handle_pte_fault']);
    const name = (n: string) => j.names.find((x) => x.name === n);
    expect(name('vm_operations_struct.nopage')).toMatchObject({ kind: 'hook', bound: true });
    expect(name('smp_rmb')).toMatchObject({ kind: 'function', bound: true, noop: true });
    expect(name('spin_unlock')?.usedBy).toContainEqual({ fn: 'do_no_page', line: 1866 });
    const golden = join(__dirname, 'golden', 'names-fault-path.json');
    const text = JSON.stringify(j, null, 2) + '\n';
    if (process.env.MMX_UPDATE_GOLDEN || !existsSync(golden)) writeFileSync(golden, text);
    expect(text).toBe(readFileSync(golden, 'utf8'));
  });

  it('reports what the era does not bind (exit 1), with lines', async () => {
    const r = await mmx('kernelc', 'names', MEMORY, 'do_swap_page');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/lookup_swap_cache\s+function\s+NO\s+do_swap_page:1699/);
    expect(r.out).toMatch(/swp_entry_t\s+type\s+NO/);
    expect(r.out).toMatch(/\d+ unbound: .*lookup_swap_cache/);
  });

  it('bad input exits 2', async () => {
    expect((await mmx('kernelc', 'names')).code).toBe(2);
    expect((await mmx('kernelc', 'names', MEMORY, '--era', '1.0')).err).toMatch(/unknown kernel era '1\.0'/);
    expect((await mmx('kernelc', 'names', 'nope.c')).code).toBe(2);
    expect((await mmx('kernelc', 'frob')).code).toBe(2);
    expect((await mmx('kernelc', '--help')).out).toMatch(/usage: mmx kernelc names/);
  });
});

describe('mmx kernelc compare', () => {
  it('adds a column running the fault path from a kernel tree, with the expectations of the base variant', async () => {
    const tree = relative(process.cwd(), FIXTURES);
    const r = await mmx('kernelc', 'compare', join(ROOT, 'scenarios/truncate-race.mmscenario.yaml'), '--tree', tree, '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as CompareJson;
    expect(j.interpreted).toMatchObject({ column: 'c:2.6.11', era: '2.6.11', base: 'truncate-seq', like: 'truncate-seq' });
    const run = j.runs.find((x) => x.label === 'c:2.6.11');
    expect(run?.exploration?.complete).toBe(true);
    expect(run?.exploration?.violations).toEqual([]);
    expect(run?.expectations.every((e) => e.met)).toBe(true);
    // interpreted steps carry their C line
    expect(run?.trace.some((e) => /mm\/memory\.c:\d+$/.test(e.src ?? ''))).toBe(true);
  }, 120_000);

  it('reads mm/filemap.c of the tree too: filemap_nopage interpreted', async () => {
    const tree = relative(process.cwd(), FIXTURES);
    const r = await mmx(
      'kernelc',
      'compare',
      join(ROOT, 'scenarios/truncate-race.mmscenario.yaml'),
      '--tree',
      tree,
      '--functions',
      'handle_pte_fault,do_no_page,filemap_nopage',
      '--json',
    );
    expect(r.code).toBe(0);
    const run = (JSON.parse(r.out) as CompareJson).runs.find((x) => x.label === 'c:2.6.11');
    expect(run?.trace.some((e) => e.kind === 'enter' && e.fn === 'filemap_nopage' && /mm\/filemap\.c:\d+$/.test(e.src ?? ''))).toBe(true);
  }, 120_000);

  it('bad input exits 2 with the place', async () => {
    const scen = join(ROOT, 'scenarios/truncate-race.mmscenario.yaml');
    expect((await mmx('kernelc', 'compare', scen)).err).toMatch(/--tree DIR/);
    expect((await mmx('kernelc', 'compare', scen, '--tree', '/nonexistent')).err).toMatch(/cannot read \/nonexistent\/mm\/memory\.c/);
    const r = await mmx('kernelc', 'compare', scen, '--tree', relative(process.cwd(), FIXTURES), '--functions', 'do_swap_page');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/memory\.c:\d+:\d+: unbound name: .*lookup_swap_cache/);
  });
});
