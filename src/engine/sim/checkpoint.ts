// Checkpoints of a Machine, so that the explorer returns to an earlier state of a search without
// building the world again. A checkpoint records, in place, every object the machine reaches: own
// fields of objects, elements of arrays, entries of Maps and Sets, contents of typed arrays. Restoring
// writes them all back into the same objects, so object identities (which tasks' frames and other
// objects refer to) stay valid, and whatever was created after the checkpoint becomes unreachable.
// Nothing is listed by hand: a kernel object added to the engine is covered as soon as the machine
// reaches it. Three things a walk cannot see are handled apart:
// - a task's running operation is a JavaScript generator, which cannot be copied or rewound. A
//   checkpoint is only taken where no task has one (every task before its first step, between
//   operations or done): Machine.quiescent(). After a restore each task starts its next operation anew.
// - objects shared by every machine of a world (variant rules, compiled C, operation specs) are found
//   by walking a second, fresh machine: what both reach is shared and is neither recorded nor walked.
// - state kept beside objects (module-level WeakMaps keyed by kernel objects) is in SideTables, which
//   count their accesses: a checkpoint is refused once a side table was used after it was taken
//   (the caller then builds the machine again). A test keeps `new WeakMap` out of the engine.
// Fields keyed by a symbol are not walked (Object.keys): a lock's texts (made from its fixed fields)
// and a PageTable's pool of the pte tables it made, whose live ones are reached through its pgd
// (pageTable.ts).

const enum Kind {
  Object,
  Array,
  Map,
  Set,
  Typed,
}

/** one recorded object: its kind, and what to write back */
interface Entry {
  obj: object;
  kind: Kind;
  /** own keys and values (objects, Maps and Sets keep their own fields too) */
  keys: string[];
  values: unknown[];
  /** array elements, Map entries (key, value pairs) or Set members, or the typed array's copy */
  items: unknown[] | ArrayBufferView | null;
  /** a plain object (not a class instance): fields may be added to it, so restore looks for new ones */
  plain: boolean;
  /** writes `values` back into the fields `keys` (one writer per class and field list) */
  write: Writer | null;
}

type Writer = (o: object, values: unknown[]) => void;

/** Writers by constructor and field list. A writer names its fields, so each store is one V8 knows
 * the shape of: a loop over the keys would store through a megamorphic keyed access, several times
 * slower. The source is built from the field names of engine classes only (identifiers, checked). */
const writers = new Map<string, Writer>();
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const MAX_WRITERS = 4096;

/** the generic writer (plain objects: records keyed by names, whose field lists are many) */
function loopWriter(keys: readonly string[]): Writer {
  return (x, v) => {
    const rec = x as Record<string, unknown>;
    for (let i = 0; i < keys.length; i++) rec[keys[i]] = v[i];
  };
}

function writerFor(o: object, keys: readonly string[], plain: boolean): Writer | null {
  if (keys.length === 0) return null;
  if (plain || writers.size >= MAX_WRITERS) return loopWriter(keys);
  const id = `${(o.constructor as { name?: string } | undefined)?.name ?? ''}|${keys.join(',')}`;
  let w = writers.get(id);
  if (!w) {
    w = keys.every((k) => IDENT.test(k))
      ? // eslint-disable-next-line @typescript-eslint/no-implied-eval -- field names of engine classes, checked as identifiers above
        (new Function('o', 'v', keys.map((k, i) => `o.${k} = v[${i}];`).join('\n')) as Writer)
      : loopWriter(keys);
    writers.set(id, w);
  }
  return w;
}

export interface Checkpoint {
  readonly entries: readonly Entry[];
  /** side-table accesses when it was taken */
  readonly sideAccesses: number;
}

/** how many times any SideTable was read or written (process-wide) */
let sideAccesses = 0;

/** A WeakMap for state kept beside kernel objects (per page, per file...) that checkpoints know of. */
export class SideTable<K extends object, V> {
  private readonly m = new WeakMap<K, V>();
  get(k: K): V | undefined {
    sideAccesses++;
    return this.m.get(k);
  }
  has(k: K): boolean {
    sideAccesses++;
    return this.m.has(k);
  }
  set(k: K, v: V): this {
    sideAccesses++;
    this.m.set(k, v);
    return this;
  }
  delete(k: K): boolean {
    sideAccesses++;
    return this.m.delete(k);
  }
}

function isGenerator(o: object): boolean {
  return Object.prototype.toString.call(o) === '[object Generator]';
}

/** every object reachable from `root` (generators, functions and `stop` excluded; not walked into) */
function reachable(root: object, stop?: ReadonlySet<object>): Set<object> {
  const seen = new Set<object>();
  const todo: unknown[] = [root];
  while (todo.length > 0) {
    const o = todo.pop();
    if (o === null || typeof o !== 'object' || seen.has(o) || stop?.has(o) || isGenerator(o)) continue;
    seen.add(o);
    if (ArrayBuffer.isView(o)) continue;
    if (o instanceof Map) for (const [k, v] of o) todo.push(k, v);
    else if (o instanceof Set) for (const v of o) todo.push(v);
    const rec = o as Record<string, unknown>;
    for (const k of Object.keys(o)) todo.push(rec[k]);
  }
  return seen;
}

/** the objects two machines of the same world both reach: shared, not machine state */
export function sharedObjects(a: object, b: object): Set<object> {
  const inB = reachable(b);
  const out = new Set<object>();
  for (const o of reachable(a)) if (inB.has(o)) out.add(o);
  return out;
}

/** record every object reachable from `root` that is not shared; null when a generator is reachable
 * (a frame that cannot be recorded: the machine must be between operations) */
export function takeCheckpoint(root: object, shared: ReadonlySet<object>): Checkpoint | null {
  const entries: Entry[] = [];
  const seen = new Set<object>();
  const todo: unknown[] = [root];
  while (todo.length > 0) {
    const o = todo.pop();
    if (o === null || typeof o !== 'object' || seen.has(o) || shared.has(o)) continue;
    if (isGenerator(o)) return null;
    seen.add(o);
    if (Object.isFrozen(o)) {
      // immutable (an ERR_PTR value): nothing to write back, but what it refers to may change
      const rec = o as Record<string, unknown>;
      for (const k of Object.keys(o)) todo.push(rec[k]);
      continue;
    }
    if (ArrayBuffer.isView(o)) {
      const copy = (o as unknown as { slice(): ArrayBufferView }).slice();
      entries.push({ obj: o, kind: Kind.Typed, keys: [], values: [], items: copy, plain: false, write: null });
      continue;
    }
    let kind = Kind.Object;
    let items: unknown[] | null = null;
    if (Array.isArray(o)) {
      kind = Kind.Array;
      items = o.slice();
      for (const v of items) todo.push(v);
    } else if (o instanceof Map) {
      kind = Kind.Map;
      items = [];
      for (const [k, v] of o) {
        items.push(k, v);
        todo.push(k, v);
      }
    } else if (o instanceof Set) {
      kind = Kind.Set;
      items = [...o];
      for (const v of items) todo.push(v);
    }
    const keys = kind === Kind.Array ? [] : Object.keys(o);
    const rec = o as Record<string, unknown>;
    const values = new Array<unknown>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const v = rec[keys[i]];
      values[i] = v;
      todo.push(v);
    }
    const proto: unknown = Object.getPrototypeOf(o);
    const plain = proto === Object.prototype || proto === null;
    entries.push({ obj: o, kind, keys, values, items, plain, write: writerFor(o, keys, plain) });
  }
  return { entries, sideAccesses };
}

/**
 * Put a Map back to these key, value pairs in this order. Mostly its keys are the checkpoint's with
 * others added after them (a page cached, a counter met): those are deleted and the values set, in
 * place; else it is cleared and filled again (clear() makes a new hash table). The base class's
 * methods: a subclass's own set() may do more than store.
 */
function restoreMap(m: Map<unknown, unknown>, items: readonly unknown[]): void {
  const n = items.length;
  let i = 0;
  for (const k of Map.prototype.keys.call(m) as IterableIterator<unknown>) {
    if (i >= n) Map.prototype.delete.call(m, k);
    else if (k !== items[i]) break;
    else i += 2;
  }
  if (i !== n) Map.prototype.clear.call(m);
  for (let j = 0; j < n; j += 2) Map.prototype.set.call(m, items[j], items[j + 1]);
}

/** the same for a Set and its members */
function restoreSet(s: Set<unknown>, items: readonly unknown[]): void {
  const n = items.length;
  let i = 0;
  for (const v of Set.prototype.values.call(s) as IterableIterator<unknown>) {
    if (i >= n) Set.prototype.delete.call(s, v);
    else if (v !== items[i]) break;
    else i++;
  }
  if (i === n) return;
  Set.prototype.clear.call(s);
  for (const v of items) Set.prototype.add.call(s, v);
}

/** Write a checkpoint back. False (and nothing written) when a side table was used since it was
 * taken: its state is not in the checkpoint. */
export function restoreCheckpoint(cp: Checkpoint): boolean {
  if (sideAccesses !== cp.sideAccesses) return false;
  for (const e of cp.entries) {
    const o = e.obj;
    switch (e.kind) {
      case Kind.Typed:
        (o as unknown as { set(a: ArrayBufferView): void }).set(e.items as ArrayBufferView);
        continue;
      case Kind.Array: {
        const a = o as unknown[];
        const items = e.items as unknown[];
        if (a.length !== items.length) a.length = items.length;
        for (let i = 0; i < items.length; i++) a[i] = items[i];
        continue;
      }
      case Kind.Map:
        restoreMap(o as Map<unknown, unknown>, e.items as unknown[]);
        break;
      case Kind.Set:
        restoreSet(o as Set<unknown>, e.items as unknown[]);
        break;
      default:
        break;
    }
    const keys = e.keys;
    if (e.write !== null) e.write(o, e.values);
    // fields added since go again; a class instance has its declared fields from the start (ES2022
    // class fields), so only plain objects are looked at
    if (e.plain) {
      const now = Object.keys(o);
      if (now.length !== keys.length) for (const k of now) if (!keys.includes(k)) delete (o as Record<string, unknown>)[k];
    }
  }
  return true;
}
