// The solo build (scripts/solo-twins.mjs): a module's kernel functions get plain-function twins that
// compute what the generators compute, and stop where the generators would yield.

import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transformSync } from 'esbuild';
import { soloTransform } from '../../scripts/solo-twins.mjs';
import * as solo from '../../src/engine/solo';
import { Step } from '../../src/engine/step';

const dep = `import type { Step } from './step';
export function* depWork(t: T): Generator<Step, number, void> {
  t.log.push('depWork');
  if (t.lock()) yield t.step;
  return 100;
}
interface T { log: string[]; step: Step; lock(): boolean }
`;

const main = `import type { Step } from './step';
import { depWork } from './dep';
interface T { log: string[]; step: Step; lock(): boolean }
type K = (t: T) => Generator<Step, number, void>;
export function* inner(t: T, n: number): Generator<Step, number, void> {
  t.log.push('inner ' + n);
  if (t.lock()) yield t.step;
  return n * 2;
}
export function* outer(t: T, ops: { m: K }, v: K): Generator<Step, number, void> {
  const a = yield* inner(t, 1);
  const b = yield* depWork(t);
  const c = yield* ops.m(t);
  const d = yield* v(t);
  const extra = [1, 2].map((x) => x + 1).length;
  return a + b + c + d + extra;
}
export function viaPlain(t: T, n: number): Generator<Step, number, void> {
  if (n < 0) return inner(t, 0);
  return inner(t, n);
}
function* shadowed(t: T, inner: (t: T, n: number) => Generator<Step, number, void>): Generator<Step, number, void> {
  return yield* inner(t, 5);
}
export function* callsShadowed(t: T, f: (t: T, n: number) => Generator<Step, number, void>): Generator<Step, number, void> {
  return yield* shadowed(t, f);
}
export const wrapper = (t: T) => viaPlain(t, 3);
export function* notKernel(): Generator<number> {
  yield 1;
}
`;

type Mod = Record<string, unknown>;
type Gen = Generator<unknown, number, void>;
interface FakeTask {
  log: string[];
  step: object;
  blocked: boolean;
  lock(): boolean;
}
const task = (blocked = false): FakeTask => ({ log: [], step: { step: true }, blocked, lock() { return this.blocked; } });

/** runs a generator the way a lone task's driver does: to the end, or to its first yield */
function drive(g: Gen): number | 'yielded' {
  const r = g.next();
  return r.done ? r.value : 'yielded';
}

let dir: string;
let out: { code: string; twins: string[]; deps: string[] };
let m: Mod;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mmx-solo-'));
  writeFileSync(join(dir, 'dep.ts'), dep);
  writeFileSync(join(dir, 'main.ts'), main);
  // the transformed modules, compiled and linked with the real helpers
  const load = (file: string, src: string): Mod => {
    const js = transformSync(soloTransform(src, join(dir, file)).code, { loader: 'ts', format: 'cjs' }).code;
    const module = { exports: {} as Mod };
    const req = (spec: string): Mod => {
      if (spec.endsWith('src/engine/solo')) return solo as unknown as Mod;
      if (spec === './dep') return load('dep.ts', dep);
      throw new Error(`unexpected import ${spec}`);
    };
    new Function('require', 'module', 'exports', js)(req, module, module.exports);
    return module.exports;
  };
  out = soloTransform(main, join(dir, 'main.ts'));
  m = load('main.ts', main);
});

describe('solo build transform', () => {
  it('twins exactly the kernel functions (return type Generator<Step, ...>)', () => {
    expect(out.twins).toEqual(['inner', 'outer', 'viaPlain', 'shadowed', 'callsShadowed']);
    expect((m.notKernel as { $solo?: unknown }).$solo).toBeUndefined();
    for (const f of ['inner', 'outer', 'viaPlain', 'callsShadowed', 'wrapper']) expect(solo.soloTwin(m[f] as () => Gen), f).toBeTypeOf('function');
  });

  it('keeps the original text line for line (twins go after it)', () => {
    const orig = main.split('\n');
    const lines = out.code.split('\n');
    orig.forEach((l, i) => {
      if (!l.startsWith('export const wrapper')) expect(lines[i]).toBe(l);
    });
    expect(lines[orig.indexOf('export const wrapper = (t: T) => viaPlain(t, 3);')]).toContain('$soloPair(');
  });

  it('calls twins statically where the callee is known, and imports the twin of an imported kernel function', () => {
    expect(out.code).toMatch(/import \{ depWork\$solo \} from '\.\/dep';/);
    // a change to dep.ts can change this module's twins: watch modes rebuild it
    expect(out.deps).toEqual([join(dir, 'dep.ts')]);
    expect(out.code).toContain('const a = inner$solo(t, 1);');
    expect(out.code).toContain('const b = depWork$solo(t);');
    expect(out.code).toContain('$soloMethod(ops, "m", t)');
    expect(out.code).toContain('$soloCall(v, t)');
    // a parameter named like a module-level kernel function is not that function
    expect(out.code).toContain('return $soloCall(inner, t, 5);');
  });

  it('a twin computes what its generator computes, through static, method, dynamic and plain-function calls', () => {
    const twinOps = { m: m.inner as (t: FakeTask) => Gen };
    const genOps = { *m(t: FakeTask): Gen { t.log.push('method'); return 7; } };
    const v = function* (t: FakeTask): Gen { t.log.push('v'); return 1000; };
    for (const ops of [twinOps, genOps]) {
      const tg = task();
      const viaGen = drive((m.outer as (t: FakeTask, o: unknown, v: unknown) => Gen)(tg, ops, v));
      const ts = task();
      const viaTwin = solo.soloTwin(m.outer as (t: FakeTask, o: unknown, v: unknown) => Gen)!(ts, ops, v);
      expect(viaTwin).toBe(viaGen);
      expect(ts.log).toEqual(tg.log);
    }
    expect(solo.soloTwin(m.viaPlain as (t: FakeTask, n: number) => Gen)!(task(), 4)).toBe(8);
    expect(solo.soloTwin(m.wrapper as (t: FakeTask) => Gen)!(task())).toBe(6);
    const custom = function* (_t: FakeTask, n: number): Gen { return n + 1; };
    expect(solo.soloTwin(m.callsShadowed as (t: FakeTask, f: unknown) => Gen)!(task(), custom)).toBe(6);
  });

  it('a twin stops with SOLO_BLOCKED where the generator yields, also inside an imported kernel function', () => {
    const t = task(true);
    expect(drive((m.inner as (t: FakeTask, n: number) => Gen)(t, 1))).toBe('yielded');
    expect(() => solo.soloTwin(m.inner as (t: FakeTask, n: number) => Gen)!(task(true), 1)).toThrow(expect.objectContaining({ reason: 'blocked' }));
    // outer: inner(t, 1) blocks first; a lock that blocks only from the second call blocks in depWork
    let calls = 0;
    const t2 = { ...task(), lock: () => ++calls > 1 };
    let thrown: unknown;
    try {
      solo.soloTwin(m.outer as (t: unknown, o: unknown, v: unknown) => Gen)!(t2, { m: m.inner }, m.inner);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBe(solo.SOLO_BLOCKED);
    expect(t2.log).toEqual(['inner 1', 'depWork']);
  });

  it('drives a generator without a twin and stops if it yields', () => {
    const step = new Step();
    const g = function* (): Generator<Step, number, void> { yield step; return 1; };
    expect(() => solo.$soloRun(g())).toThrow(expect.objectContaining({ reason: 'blocked' }));
    const h = function* (): Generator<Step, number, void> { return 2; };
    expect(solo.$soloRun(h())).toBe(2);
  });
});
