// The schema and semantic checks over random scenario documents, valid and invalid: nothing but
// diagnostics comes out (no exception), every diagnostic has a place, and a document with an error
// yields no scenario.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

import schema from '../../../src/scenario/mmscenario.schema.json';
import { variantCatalogue } from '../../../src/scenario/runner';
import { loadScenarioText } from '../../../src/scenario/scenarioFile';

const catalogue = variantCatalogue();
const OP_NAMES = schema.$defs.op.oneOf.map((o) => o.properties.op.const);
const names = fc.constantFrom('t0', 't1', 'f', 'g', 'a', 'b', 'n0', 'x', '0', 'p', '');
/** numbers around every limit, beyond a double's precision, negative, fractional, and odd types */
const num = fc.oneof(
  fc.integer({ min: -2, max: 40 }),
  fc.constantFrom(
    0x40000000,
    0xfffff000,
    0xffffffff,
    2 ** 32,
    2 ** 31,
    2 ** 31 - 1,
    2 ** 20,
    2 ** 20 + 1,
    2 ** 24 + 1,
    1e12,
    2 ** 53 + 2,
    1e300,
    0.5,
    -0,
  ),
  fc.constantFrom('0x40000000', '0x10000000000000001', '0xzz', '12', 'x'),
  fc.constant(null),
  fc.boolean(),
);
const value = fc.oneof(
  { arbitrary: num, weight: 4 },
  { arbitrary: names, weight: 2 },
  fc.constantFrom('rw-', 'r--', 'rwz', 'VM_IO', 'put_page', 'stale-pte', 'any'),
  fc.anything({ maxDepth: 2 }),
);
const fields = [
  'addr',
  'pages',
  'prot',
  'shared',
  'file',
  'pgoff',
  'flags',
  'as',
  'write',
  'force',
  'page',
  'walker',
  'failAt',
  'writtenFor',
  'fn',
  'holding',
];

const op = fc
  .record({
    op: fc.oneof({ arbitrary: fc.constantFrom(...OP_NAMES), weight: 5 }, fc.constantFrom('raed', 42, null)),
    fields: fc.dictionary(fc.constantFrom(...fields), value, { maxKeys: 5 }),
  })
  .map(({ op: name, fields: f }) => ({ op: name, ...f }));

const task = fc.record(
  {
    name: names,
    mm: fc.option(names, { nil: undefined }),
    node: fc.option(names, { nil: undefined }),
    ops: fc.array(op, { maxLength: 5 }),
  },
  { requiredKeys: ['name', 'ops'] },
);

const scheduleEntry = fc.oneof(
  fc.integer({ min: -1, max: 4 }),
  names,
  fc.tuple(names, fc.constantFrom('1', '3', '999999999999', '9'.repeat(40))).map(([n, k]) => `${n}*${k}`),
);

const document = fc.record(
  {
    title: fc.oneof(fc.string(), num),
    description: fc.string(),
    world: fc.record(
      {
        files: fc.array(
          fc.record({ name: names, pages: num, fs: fc.constantFrom('local', 'dfs', 'shmem', 'nfs') }, { requiredKeys: ['name', 'pages'] }),
          { maxLength: 3 },
        ),
        mms: fc.array(fc.record({ name: names, node: names }, { requiredKeys: ['name'] }), { maxLength: 3 }),
        nodes: fc.array(names, { maxLength: 3 }),
        memoryPages: num,
        maxMapCount: num,
      },
      { requiredKeys: ['mms'] },
    ),
    tasks: fc.array(task, { maxLength: 4 }),
    variants: fc.dictionary(
      fc.constantFrom('old', 'new', '2.5.70', 'x'),
      fc.dictionary(
        fc.constantFrom('fault', 'gup', 'release', 'remap', 'nope'),
        fc.constantFrom(...Object.values(catalogue).flat(), 'nope'),
      ),
      { maxKeys: 3 },
    ),
    schedule: fc.oneof(
      fc.array(scheduleEntry, { maxLength: 6 }),
      fc.record(
        { counterexampleOf: fc.constantFrom('old', 'new', 'x', 3), invariant: fc.constantFrom('stale-pte', 'Bad') },
        { requiredKeys: ['counterexampleOf'] },
      ),
    ),
    bounds: fc.record({ steps: num, preemptions: num }, { requiredKeys: [] }),
    expect: fc.dictionary(
      fc.constantFrom('old', 'new', 'x'),
      fc.record(
        {
          violation: fc.constantFrom('stale-pte', ['oops']),
          never: fc.constantFrom('any', 'stale-pte'),
          clean: fc.boolean(),
          results: fc.array(fc.record({ task: names, op: num, result: fc.string() }), { maxLength: 2 }),
        },
        { requiredKeys: [] },
      ),
      { maxKeys: 2 },
    ),
  },
  { requiredKeys: ['title', 'world', 'tasks', 'variants'] },
);

/** documents that are valid as built, then (often) one field replaced by a random value */
const addr = (k: number) => 0x40000000 + k * 4096;
const validOp = fc.oneof(
  fc.nat(3).map((k) => ({ op: 'read', addr: addr(k) })),
  fc.nat(3).map((k) => ({ op: 'write', addr: addr(k) })),
  fc.tuple(fc.nat(3), fc.integer({ min: 1, max: 4 })).map(([k, n]) => ({ op: 'touch', addr: addr(k), pages: n })),
  fc.integer({ min: 0, max: 2 ** 31 }).map((n) => ({ op: 'truncate', file: 'f', pages: n })),
  fc.constant({ op: 'sleep' }),
);
const validDoc = fc
  .record({
    pages: fc.integer({ min: 0, max: 2 ** 31 }),
    tasks: fc.array(fc.array(validOp, { maxLength: 4 }), { minLength: 1, maxLength: 3 }),
    schedule: fc.option(fc.array(fc.tuple(fc.nat(2), fc.integer({ min: 1, max: 5 })), { maxLength: 4 }), { nil: undefined }),
  })
  .map(({ pages, tasks, schedule }) => ({
    title: 'random',
    world: { files: [{ name: 'f', pages }], mms: [{ name: 'a' }] },
    tasks: tasks.map((ops, i) => ({
      name: `t${i}`,
      mm: 'a',
      ops: [{ op: 'mmap', addr: addr(0), pages: 4, prot: 'rw-', file: 'f' }, ...ops],
    })),
    variants: { old: { fault: '2.5.70' }, new: { fault: 'install_new_page' } },
    ...(schedule ? { schedule: schedule.map(([t, n]) => `t${Math.min(t, tasks.length - 1)}*${n}`) } : {}),
  }));

/** replace the value at a random path of a document */
function mutate(doc: unknown, pick: number[], v: unknown): unknown {
  if (pick.length === 0 || typeof doc !== 'object' || doc === null) return v;
  const keys = Object.keys(doc);
  if (keys.length === 0) return v;
  const k = keys[pick[0] % keys.length];
  const copy: Record<string, unknown> = Array.isArray(doc) ? { ...(doc as unknown[]) } : { ...(doc as Record<string, unknown>) };
  copy[k] = mutate((doc as Record<string, unknown>)[k], pick.slice(1), v);
  return copy;
}

const mutated = fc.tuple(validDoc, fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), value).map(([d, pick, v]) => mutate(d, pick, v));

/** a document as YAML, sometimes cut or spliced so that the YAML itself may break */
const text = fc.oneof(
  { arbitrary: validDoc.map((d) => stringify(d)), weight: 2 },
  { arbitrary: mutated.map((d) => stringify(d)), weight: 4 },
  { arbitrary: document.map((d) => stringify(d)), weight: 4 },
  fc
    .tuple(
      document.map((d) => stringify(d)),
      fc.nat(),
      fc.string(),
    )
    .map(([t, at, junk]) => t.slice(0, at % (t.length + 1)) + junk + t.slice(at % (t.length + 1))),
  fc.string({ unit: 'binary' }),
);

describe('scenario checker on random documents', () => {
  it('reports diagnostics, never throws; an error means no scenario', () => {
    fc.assert(
      fc.property(text, (t) => {
        const r = loadScenarioText(t, 'r.mmscenario.yaml', { variants: catalogue });
        for (const d of r.diagnostics) {
          expect(d.line).toBeGreaterThanOrEqual(1);
          expect(d.column).toBeGreaterThanOrEqual(1);
          expect(d.message.length).toBeGreaterThan(0);
          expect(d.file).toBe('r.mmscenario.yaml');
        }
        const errors = r.diagnostics.filter((d) => d.severity === 'error');
        expect(r.scenario === undefined).toBe(errors.length > 0);
        if (r.scenario) {
          // what passes is inside the modelled machine
          for (const tk of r.scenario.world.tasks)
            for (const o of tk.ops as Record<string, unknown>[]) if (typeof o.addr === 'number') expect(o.addr).toBeLessThan(2 ** 32);
          expect(r.scenario.schedule?.length ?? 0).toBeLessThanOrEqual(100_000);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the generator reaches valid and invalid documents alike', () => {
    const loaded = fc.sample(text, 300).map((t) => !!loadScenarioText(t, 'r.mmscenario.yaml', { variants: catalogue }).scenario);
    expect(loaded.filter(Boolean).length).toBeGreaterThan(30);
    expect(loaded.filter((ok) => !ok).length).toBeGreaterThan(100);
  });
});
