// The solo build of the kernel functions: plain-function twins for a task that runs alone.
//
// A kernel function is a generator so that the Machine can interleave tasks at every announced
// step. A task that runs alone (runDirect, Task.solo) performs every step inline, so its generators
// never yield, and creating two or three generator objects per page fault is most of what a fault
// costs. At build time scripts/soloTwins.mjs gives every kernel function `f` (a `function*`, or a
// plain function returning `Generator<Step, ...>`) a twin `f$solo` made from the same source:
// `yield* g(...)` becomes a call of g's twin, `yield t.step` becomes soloBlocked(). The twin is also
// hung on the function as `f.$solo`, so calls through vm_operations tables and the op registry find
// it. Code built without the transform has no twins and runs the generators: same behaviour.
//
// The helpers below are what the twins call; the names are kept short and distinct because the
// transform writes them into the generated code.

import type { Step } from './step';

/**
 * Thrown by a twin where the generator would have yielded. A lone task yields only when an
 * announced step cannot go ahead (a lock another task holds), which no later step of a direct run
 * can change: the task is blocked for good and its plain-function stack is simply dropped.
 */
export const SOLO_BLOCKED: { readonly reason: 'blocked' } = Object.freeze({ reason: 'blocked' });

interface WithTwin {
  $solo?: (...args: never[]) => unknown;
}

/** the twin of a kernel function, if the solo build gave it one */
export function soloTwin<F extends (...args: never[]) => unknown>(f: F): ((...args: Parameters<F>) => SoloResult<F>) | undefined {
  return (f as WithTwin).$solo as ((...args: Parameters<F>) => SoloResult<F>) | undefined;
}
type SoloResult<F> = F extends (...args: never[]) => Generator<Step, infer R, void> ? R : never;

/** `yield t.step` in a twin */
export function $soloBlocked(): never {
  throw SOLO_BLOCKED;
}

/** `yield* <generator>` in a twin when the callee has no twin: run the generator, which must not yield */
export function $soloRun<R>(g: Generator<Step, R, void>): R {
  const r = g.next();
  if (r.done) return r.value;
  throw SOLO_BLOCKED;
}

type AnyFn = (...args: unknown[]) => unknown;

/** `yield* f(...)` where f is not known at build time (a variable): its twin or its generator */
export function $soloCall(f: AnyFn, ...args: unknown[]): unknown {
  const s = (f as WithTwin).$solo as AnyFn | undefined;
  return s !== undefined ? s(...args) : $soloRun(f(...args) as Generator<Step, unknown, void>);
}

/** `yield* obj.f(...)` (vm_operations, page walkers): the method's twin or its generator */
export function $soloMethod(obj: Record<string, AnyFn>, key: string, ...args: unknown[]): unknown {
  const f = obj[key];
  const s = (f as WithTwin).$solo as AnyFn | undefined;
  return s !== undefined ? s.apply(obj, args) : $soloRun(f.apply(obj, args) as Generator<Step, unknown, void>);
}

/** hangs a twin on a kernel function (function declarations and arrow wrappers) */
export function $soloPair<F>(f: F, twin: AnyFn): F {
  (f as WithTwin).$solo = twin;
  return f;
}
