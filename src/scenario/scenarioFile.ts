// Loads a *.mmscenario.yaml text: YAML with positions, JSON Schema validation (ajv), then the checks a
// schema cannot express (names that refer to each other, known variants, page alignment). Every problem is
// a Diagnostic with a file:line:column range; nothing throws on bad input.
import Ajv, { type ErrorObject } from 'ajv';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';

import {
  HPAGE_PAGES,
  INVARIANT_NAMES,
  LOCK_CLASSES,
  lockClassOf,
  lockLabels,
  parseLockLabel,
  type OpSpec,
  type TaskSpec,
  type WorldSpec,
} from '../engine/index';

import { didYouMean } from './didYouMean';
import { ADDRESS_SPACE_BYTES, MAX_RUN_STEPS } from './limits';
import schema from './mmscenario.schema.json';
import { PAGE_SIZE, type Expectation, type Scenario, type SourcePos, type VariantColumn } from './scenario';

export interface Diagnostic {
  file: string;
  /** 1-based */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: 'error' | 'warning';
  message: string;
}

/** API family -> variant names the engine knows (from listVariants()). */
export type VariantCatalogue = Record<string, readonly string[]>;

export interface LoadOptions {
  /** when given, variant names are checked against it */
  variants?: VariantCatalogue;
  /** when given, a walk's `writtenFor` must name one of these (the gup variants of the page-walk API) */
  walkVariants?: readonly string[];
  /** the invariant names `expect` may use; the engine's catalogue unless given */
  invariants?: readonly string[];
}

export interface LoadResult {
  scenario?: Scenario;
  diagnostics: Diagnostic[];
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
}

let validator: ReturnType<Ajv['compile']> | undefined;
function getValidator() {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, discriminator: true, verbose: true, strict: false });
    validator = ajv.compile(schema);
  }
  return validator;
}

type Path = (string | number)[];

class Located {
  readonly diagnostics: Diagnostic[] = [];
  constructor(
    readonly file: string,
    readonly doc: Document,
    readonly lc: LineCounter,
    readonly textLength: number,
  ) {}

  /** the YAML node at a path (keys compared as strings, so `2.6:` matches "2.6") */
  node(path: Path): YamlNode | undefined {
    let cur: unknown = this.doc.contents;
    for (const seg of path) {
      if (isMap(cur)) {
        const pair = cur.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return undefined;
        cur = pair.value;
      } else if (isSeq(cur)) {
        cur = cur.items[Number(seg)];
      } else return undefined;
    }
    return (cur as YamlNode) ?? undefined;
  }

  /** the key node of `prop` in the map at `path` */
  keyNode(path: Path, prop: string): YamlNode | undefined {
    const m = this.node(path);
    if (!isMap(m)) return undefined;
    const pair = m.items.find((p) => isScalar(p.key) && String(p.key.value) === prop);
    return pair && isScalar(pair.key) ? pair.key : undefined;
  }

  rangeOf(node: YamlNode | undefined): [number, number] {
    const r = node?.range;
    if (r) return [r[0], Math.max(r[1], r[0])];
    return [0, Math.min(1, this.textLength)];
  }

  pos(offset: number): SourcePos {
    const p = this.lc.linePos(offset);
    return { line: p.line, column: p.col };
  }

  add(range: [number, number], message: string, severity: Diagnostic['severity'] = 'error'): void {
    const a = this.pos(range[0]);
    const b = this.pos(range[1]);
    this.diagnostics.push({ file: this.file, line: a.line, column: a.column, endLine: b.line, endColumn: b.column, severity, message });
  }

  at(path: Path, message: string, severity: Diagnostic['severity'] = 'error'): void {
    // fall back to the nearest existing ancestor
    for (let n = path.length; n >= 0; n--) {
      const node = this.node(path.slice(0, n));
      if (node || n === 0) {
        this.add(this.rangeOf(node), message, severity);
        return;
      }
    }
  }

  atKey(path: Path, prop: string, message: string): void {
    const k = this.keyNode(path, prop);
    if (k) this.add(this.rangeOf(k), message);
    else this.at([...path, prop], message);
  }
}

function pointerToPath(p: string): Path {
  if (!p) return [];
  return p
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** a readable name of the place a path points to */
function where(path: Path, data: unknown): string {
  if (path.length === 0) return 'the scenario';
  const [a, b, c, d] = path;
  if (a === 'tasks' && typeof b === 'number') {
    const task = (data as { tasks?: { name?: unknown }[] }).tasks?.[b];
    const tn = typeof task?.name === 'string' ? `task '${task.name}'` : `task #${b}`;
    if (c === 'ops' && typeof d === 'number') {
      const op = (task as { ops?: { op?: unknown }[] } | undefined)?.ops?.[d]?.op;
      return `op #${d}${typeof op === 'string' ? ` (${op})` : ''} of ${tn}`;
    }
    return tn;
  }
  if (a === 'expect' && b !== undefined) return `expect '${b}'`;
  if (a === 'variants' && b !== undefined) return `variant '${b}'`;
  return path.join('.');
}

function show(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return typeof v;
}

/** a number as the file writes it (hex stays hex; digits beyond a double's precision are kept) */
function written(loc: Located, path: Path, v: unknown): string {
  const n = loc.node(path);
  if (typeof v === 'number' && isScalar(n) && typeof n.source === 'string') return n.source;
  return show(v);
}

function schemaErrors(loc: Located, data: unknown, errors: ErrorObject[]): void {
  // a oneOf failure subsumes the errors of its branches: report it once with the schema's description
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  // ...unless a branch matched the shape and failed deeper down: that error is the precise one, and
  // the other branches' complaints about the shape are noise
  const shapeNoise = new Set<string>();
  for (const p of [...oneOfPaths])
    if (errors.some((e) => e.instancePath.startsWith(p + '/'))) {
      oneOfPaths.delete(p);
      shapeNoise.add(p);
    }
  const reported = new Set<string>();
  for (const e of errors) {
    const path = pointerToPath(e.instancePath);
    const here = where(path, data);
    if (e.keyword !== 'oneOf' && oneOfPaths.has(e.instancePath)) continue;
    if (e.keyword === 'oneOf' && !oneOfPaths.has(e.instancePath)) continue;
    if (e.keyword === 'type' && shapeNoise.has(e.instancePath)) continue;
    // errors inside a oneOf branch of an ancestor already reported (e.g. schedule items)
    let key: string;
    let msg: string;
    switch (e.keyword) {
      case 'additionalProperties': {
        const prop = (e.params as { additionalProperty: string }).additionalProperty;
        const allowed = Object.keys((e.parentSchema as { properties?: Record<string, unknown> })?.properties ?? {});
        const field = path[0] === 'variants' ? 'API family' : 'field';
        msg = `unknown ${field} '${prop}' in ${here}` + (allowed.length ? `; expected one of: ${allowed.join(', ')}` : '');
        key = `${e.instancePath}/${prop}:ap`;
        if (!reported.has(key)) loc.atKey(path, prop, msg);
        reported.add(key);
        continue;
      }
      case 'required': {
        const prop = (e.params as { missingProperty: string }).missingProperty;
        msg = `missing field '${prop}' in ${here}`;
        break;
      }
      case 'discriminator': {
        const p = e.params as { error: string; tag: string; tagValue: unknown };
        const ops = ((e.parentSchema as { oneOf?: { properties: { op: { const: string } } }[] })?.oneOf ?? []).map(
          (s) => s.properties.op.const,
        );
        if (p.error === 'mapping') {
          msg = `unknown operation ${show(p.tagValue)} in ${here}; expected one of: ${ops.join(', ')}`;
          key = `${e.instancePath}:disc`;
          if (!reported.has(key)) loc.at([...path, 'op'], msg);
          reported.add(key);
          continue;
        }
        msg = `'op' must be an operation name in ${here}`;
        break;
      }
      case 'oneOf': {
        const desc = (e.parentSchema as { description?: string })?.description;
        msg = `${here}: expected ${desc ?? 'a valid value'}, found ${written(loc, path, e.data)}`;
        break;
      }
      case 'maximum': {
        // the limits follow the modelled machine: the schema's description says which one
        const desc = (e.parentSchema as { description?: string })?.description;
        const field = typeof path[path.length - 1] === 'string' ? `${String(path[path.length - 1])} ` : '';
        const limit = (e.params as { limit: number }).limit;
        msg = `${here}: ${field}${written(loc, path, e.data)} is above the limit ${limit}${desc ? ` (${desc})` : ''}`;
        break;
      }
      case 'enum':
        msg = `${here}: expected one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map(show).join(', ')}, found ${show(e.data)}`;
        break;
      case 'const':
        msg = `${here}: expected ${show((e.params as { allowedValue: unknown }).allowedValue)}, found ${show(e.data)}`;
        break;
      case 'type':
        msg = `${here}: expected ${(e.params as { type: string }).type}, found ${show(e.data)}`;
        break;
      case 'pattern': {
        const desc = (e.parentSchema as { description?: string })?.description;
        msg = `${here}: ${show(e.data)} is not ${desc ?? `a valid value (pattern ${(e.params as { pattern: string }).pattern})`}`;
        if (!desc && String((e.params as { pattern: string }).pattern).startsWith('^[A-Za-z_]'))
          msg = `${here}: ${show(e.data)} is not a valid name (letters, digits, _ . + -)`;
        break;
      }
      default:
        msg = `${here}: ${e.message ?? 'invalid'}`;
    }
    key = `${e.instancePath}:${msg}`;
    if (reported.has(key)) continue;
    reported.add(key);
    loc.at(path, msg);
  }
}

function toNumber(v: unknown): number {
  return typeof v === 'number' ? v : parseInt(String(v), 16);
}

const ADDR_FIELDS = ['addr', 'newAddr'] as const;

/** deeper flow nesting ([ and {) is refused before the YAML reader, which recurses per level, sees it */
export const MAX_FLOW_DEPTH = 500;

/** the offset where `[`/`{` nesting outside quotes and comments first passes MAX_FLOW_DEPTH, or -1 */
function tooDeep(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > MAX_FLOW_DEPTH) return i;
    } else if (c === 93 /* ] */ || c === 125 /* } */) {
      if (depth > 0) depth--;
    } else if (c === 34 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92 /* \ */) i++;
    } else if (c === 39 /* ' */ && i > 0 && /[\s[{,:]/.test(text[i - 1])) {
      // a quoted scalar starts after a separator ('' inside is an escaped quote)
      for (i++; i < text.length; i++)
        if (text.charCodeAt(i) === 39) {
          if (text.charCodeAt(i + 1) === 39) i++;
          else break;
        }
    } else if (c === 35 /* # */ && (i === 0 || /\s/.test(text[i - 1]))) {
      while (i < text.length && text.charCodeAt(i) !== 10) i++;
    }
  }
  return -1;
}

function yamlMessage(m: string): string {
  return /Maximum call stack/.test(m) ? 'nested too deeply to read (the reader ran out of stack)' : m;
}

/** Parse and check a scenario text. Never throws. */
export function loadScenarioText(text: string, file: string, options: LoadOptions = {}): LoadResult {
  const lc = new LineCounter();
  const deep = tooDeep(text);
  if (deep >= 0) {
    const before = text.slice(0, deep);
    const line = before.split('\n').length;
    const column = deep - before.lastIndexOf('\n');
    return {
      diagnostics: [
        {
          file,
          line,
          column,
          endLine: line,
          endColumn: column + 1,
          severity: 'error',
          message: `YAML: nested more than ${MAX_FLOW_DEPTH} levels deep`,
        },
      ],
    };
  }
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  } catch (e) {
    // the reader recurses per nesting level: a deep enough text exhausts the stack
    return {
      diagnostics: [
        { file, line: 1, column: 1, endLine: 1, endColumn: 1, severity: 'error', message: `YAML: ${yamlMessage((e as Error).message)}` },
      ],
    };
  }
  const loc = new Located(file, doc, lc, text.length);
  for (const e of doc.errors) loc.add([e.pos[0], e.pos[1]], `YAML: ${yamlMessage(e.message.split('\n')[0])}`);
  for (const w of doc.warnings) loc.add([w.pos[0], w.pos[1]], `YAML: ${w.message.split('\n')[0]}`, 'warning');
  if (doc.errors.length > 0) return { diagnostics: loc.diagnostics };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    loc.add([0, 1], `YAML: ${yamlMessage((err as Error).message)}`);
    return { diagnostics: loc.diagnostics };
  }
  if (data === null || data === undefined || typeof data !== 'object' || Array.isArray(data)) {
    loc.add([0, Math.min(1, text.length)], 'a scenario must be a YAML mapping with title, world, tasks and variants');
    return { diagnostics: loc.diagnostics };
  }
  const validate = getValidator();
  if (!validate(data)) {
    schemaErrors(loc, data, validate.errors ?? []);
    return { diagnostics: loc.diagnostics };
  }
  const scenario = semanticCheck(loc, data as RawScenario, options);
  const hasError = loc.diagnostics.some((d) => d.severity === 'error');
  return { scenario: hasError ? undefined : scenario, diagnostics: loc.diagnostics };
}

/** Diagnostics only (for as-you-type checking in the editor). */
export function validateScenarioText(text: string, file: string, options: LoadOptions = {}): Diagnostic[] {
  return loadScenarioText(text, file, options).diagnostics;
}

// ---- the checks after the schema ----

interface RawOp {
  op: string;
  [k: string]: unknown;
}
interface RawScenario {
  title: string;
  description?: string;
  world: {
    files?: { name: string; pages: number; fs?: string }[];
    mms: { name: string; node?: string }[];
    nodes?: string[];
    memoryPages?: number;
    maxMapCount?: number;
    cpus?: string[];
  };
  tasks: { name: string; mm?: string; node?: string; cpu?: string; ops: RawOp[] }[];
  variants: Record<string, Record<string, string>>;
  schedule?: (number | string)[] | { counterexampleOf: string | number; invariant?: string };
  bounds?: { steps?: number; preemptions?: number };
  expect?: Record<string, Record<string, unknown>>;
}

function listOf(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? (v as string[]) : [v as string];
}

function semanticCheck(loc: Located, raw: RawScenario, options: LoadOptions): Scenario {
  const dupes = (names: string[], path: Path, what: string) => {
    const seen = new Set<string>();
    names.forEach((n, i) => {
      if (seen.has(n)) loc.at([...path, i, 'name'], `duplicate ${what} name '${n}'`);
      seen.add(n);
    });
  };
  const files = raw.world.files ?? [];
  const mms = raw.world.mms;
  const nodes = raw.world.nodes ?? [];
  dupes(
    files.map((f) => f.name),
    ['world', 'files'],
    'file',
  );
  dupes(
    mms.map((m) => m.name),
    ['world', 'mms'],
    'address space',
  );
  dupes(
    raw.tasks.map((t) => t.name),
    ['tasks'],
    'task',
  );
  const fileNames = new Set(files.map((f) => f.name));
  const mmNames = new Set(mms.map((m) => m.name));
  // the mms forks create ({op: fork, as}): each name once, none a declared mm
  raw.tasks.forEach((t, ti) =>
    t.ops.forEach((o, oi) => {
      if (o.op !== 'fork' || typeof o.as !== 'string') return;
      const path: Path = ['tasks', ti, 'ops', oi, 'as'];
      if (mmNames.has(o.as)) loc.at(path, `${where(['tasks', ti, 'ops', oi], raw)}: fork as '${o.as}', which is already an address space`);
      else if (t.mm === undefined) loc.at(path, `${where(['tasks', ti, 'ops', oi], raw)}: fork needs a task with an address space (mm)`);
      mmNames.add(o.as);
    }),
  );
  const nodeNames = new Set(nodes);
  const cpuNames = new Set(raw.world.cpus ?? []);
  dupes(raw.world.cpus ?? [], ['world', 'cpus'], 'CPU');
  const known = (set: Set<string>, what: string, name: string, path: Path) => {
    if (!set.has(name))
      loc.at(
        path,
        `unknown ${what} '${name}'` + didYouMean(name, set) + (set.size ? `; declared: ${[...set].join(', ')}` : `; none is declared`),
      );
  };
  mms.forEach((m, i) => m.node !== undefined && known(nodeNames, 'DFS node', m.node, ['world', 'mms', i, 'node']));
  files.forEach((f, i) => {
    if (f.fs === 'dfs' && nodes.length === 0)
      loc.at(['world', 'files', i, 'fs'], `file '${f.name}' is on a DFS but world.nodes declares no node`);
    if (f.fs === 'hugetlbfs' && typeof f.pages === 'number' && f.pages % HPAGE_PAGES !== 0)
      loc.at(
        ['world', 'files', i, 'pages'],
        `file '${f.name}' is on hugetlbfs, whose size is a whole number of huge pages (${HPAGE_PAGES} pages of ${PAGE_SIZE} bytes); ${f.pages} is not`,
      );
  });
  const hugetlbfsFiles = new Set(files.filter((f) => f.fs === 'hugetlbfs').map((f) => f.name));

  const pinSets = new Set<string>();
  for (const t of raw.tasks) for (const o of t.ops) if (typeof o.as === 'string') pinSets.add(o.as);

  const tasks: TaskSpec[] = raw.tasks.map((t, ti) => {
    if (t.mm !== undefined) known(mmNames, 'address space', t.mm, ['tasks', ti, 'mm']);
    if (t.node !== undefined) known(nodeNames, 'DFS node', t.node, ['tasks', ti, 'node']);
    if (t.cpu !== undefined) known(cpuNames, 'CPU', t.cpu, ['tasks', ti, 'cpu']);
    const needsMm = t.ops.some((o) => 'addr' in o);
    if (needsMm && t.mm === undefined) loc.at(['tasks', ti, 'name'], `task '${t.name}' accesses addresses but names no address space (mm)`);
    const ops = t.ops.map((o, oi) => {
      const path: Path = ['tasks', ti, 'ops', oi];
      const out: Record<string, unknown> = { ...o };
      for (const f of ADDR_FIELDS) {
        if (o[f] === undefined) continue;
        const a = toNumber(o[f]);
        out[f] = a;
        const aligned = o.op !== 'read' && o.op !== 'write' && o.op !== 'exec' && o.op !== 'get-one-page';
        if (aligned && a % PAGE_SIZE !== 0)
          loc.at([...path, f], `${where(path, raw)}: address 0x${a.toString(16)} is not page aligned (${PAGE_SIZE} bytes)`);
        else if (typeof o.pages === 'number' && a + o.pages * PAGE_SIZE > ADDRESS_SPACE_BYTES)
          loc.at(
            [...path, 'pages'],
            `${where(path, raw)}: ${o.pages} pages from 0x${a.toString(16)} end beyond the 4 GB address space of the modelled i386 machine`,
          );
      }
      if (typeof o.file === 'string') known(fileNames, 'file', o.file, [...path, 'file']);
      if (o.op === 'mmap' && typeof o.file === 'string' && fileNames.has(o.file) && !hugetlbfsFiles.has(o.file) && Array.isArray(o.flags)) {
        const fi = o.flags.indexOf('VM_HUGETLB');
        if (fi >= 0)
          loc.at(
            [...path, 'flags', fi],
            `${where(path, raw)}: VM_HUGETLB comes from hugetlbfs (hugetlbfs_file_mmap), and '${o.file}' is not on hugetlbfs; declare it with fs: hugetlbfs or drop the flag`,
          );
      }
      if ((o.op === 'dma-write' || o.op === 'release') && typeof o.pages === 'string' && !pinSets.has(o.pages))
        loc.at(
          [...path, 'pages'],
          `unknown page set '${o.pages}'${didYouMean(o.pages, pinSets)}: no gup/walk/get-one-page op names it with 'as'`,
        );
      if (o.op === 'walk' && o.walker === 'fail-at' && o.failAt === undefined)
        loc.at(path, `${where(path, raw)}: walker 'fail-at' needs 'failAt'`);
      if (o.op === 'walk' && typeof o.writtenFor === 'string' && options.walkVariants && !options.walkVariants.includes(o.writtenFor))
        loc.at(
          [...path, 'writtenFor'],
          `${where(path, raw)}: writtenFor '${o.writtenFor}' is not a page-walk variant of gup; known: ${options.walkVariants.join(', ')}`,
        );
      return out as unknown as OpSpec;
    });
    const spec: TaskSpec = { name: t.name, ops };
    if (t.mm !== undefined) spec.mm = t.mm;
    if (t.node !== undefined) spec.node = t.node;
    if (t.cpu !== undefined) spec.cpu = t.cpu;
    return spec;
  });

  const invariants = new Set(options.invariants ?? INVARIANT_NAMES);
  const checkInvariant = (name: string, path: Path, anyAllowed: boolean) => {
    if (invariants.has(name) || (anyAllowed && name === 'any')) return;
    const hint = didYouMean(name, anyAllowed ? [...invariants, 'any'] : invariants);
    loc.at(path, `unknown invariant '${name}'${hint || `; the engine checks: ${[...invariants].join(', ')}`}`);
  };
  // driver spinlocks are named by the scenario's release ops
  const driverLocks = new Set<string>();
  for (const t of raw.tasks)
    for (const o of t.ops) if (o.op === 'release' && typeof o.holding === 'string' && !lockClassOf(o.holding)) driverLocks.add(o.holding);
  const checkLock = (label: string, path: Path) => {
    const p = parseLockLabel(label);
    const all = lockLabels([...driverLocks]);
    const hint = didYouMean(label, all);
    if (!p) {
      loc.at(path, `'${label}' is not a lock operation such as spin_lock(page_table_lock)${hint}`);
      return;
    }
    const cls = lockClassOf(p.name);
    const verbs = cls ? cls.verbs : driverLocks.has(p.name) ? ['spin_lock', 'spin_unlock'] : undefined;
    if (!verbs) {
      const names = [...LOCK_CLASSES.flatMap((c) => c.names), ...driverLocks];
      loc.at(path, `unknown lock '${p.name}' in '${label}'${hint || didYouMean(p.name, names)}; locks: ${names.join(', ')}`);
    } else if (!verbs.includes(p.verb)) {
      loc.at(path, `'${p.verb}' is not an operation on ${p.name}${hint}; ${p.name} takes ${[...new Set(verbs)].join(', ')}`);
    }
  };

  const columns: VariantColumn[] = Object.entries(raw.variants).map(([label, sel]) => {
    if (options.variants) {
      for (const [family, name] of Object.entries(sel)) {
        const names = options.variants[family];
        if (!names)
          loc.atKey(['variants', label], family, `unknown API family '${family}'${didYouMean(family, Object.keys(options.variants))}`);
        else if (!names.includes(name))
          loc.at(
            ['variants', label, family],
            `unknown ${family} variant '${name}' in column '${label}'${didYouMean(name, names)}; known: ${names.join(', ')}`,
          );
      }
    }
    return { label, selection: { ...sel } };
  });
  const labels = new Set(columns.map((c) => c.label));

  const taskIndex = new Map(raw.tasks.map((t, i) => [t.name, i]));
  let schedule: number[] | undefined;
  let scheduleFrom: Scenario['scheduleFrom'];
  if (raw.schedule && !Array.isArray(raw.schedule)) {
    const ref = raw.schedule;
    const column = String(ref.counterexampleOf);
    if (!labels.has(column))
      loc.at(
        ['schedule', 'counterexampleOf'],
        `schedule: '${column}' is not a column of 'variants'${didYouMean(column, labels)} (${[...labels].join(', ')})`,
      );
    if (ref.invariant) checkInvariant(ref.invariant, ['schedule', 'invariant'], false);
    scheduleFrom = { column, ...(ref.invariant ? { invariant: ref.invariant } : {}) };
  } else if (raw.schedule) {
    // 'name*N' is counted before anything is allocated: N can be any number of digits
    const entries: [number, number][] = [];
    let total = 0;
    raw.schedule.forEach((s, i) => {
      const [who, count] = typeof s === 'number' ? [String(s), '1'] : (String(s).split('*') as [string, string?]);
      let idx = /^\d+$/.test(who) ? Number(who) : taskIndex.get(who);
      if (idx === undefined) {
        loc.at(
          ['schedule', i],
          `schedule entry '${who}' is not a task${didYouMean(who, taskIndex.keys())}; tasks: ${[...taskIndex.keys()].join(', ')}`,
        );
        idx = 0;
      } else if (idx >= raw.tasks.length) {
        loc.at(['schedule', i], `schedule entry ${who}: there are only ${raw.tasks.length} tasks`);
        idx = 0;
      }
      const n = Number(count ?? '1');
      if (total <= MAX_RUN_STEPS && total + n > MAX_RUN_STEPS)
        loc.at(
          ['schedule', i],
          `schedule entry '${String(s)}' makes the schedule longer than ${MAX_RUN_STEPS} steps, the longest run the scheduler takes`,
        );
      total += n;
      entries.push([idx, n]);
    });
    if (total <= MAX_RUN_STEPS) schedule = entries.flatMap(([idx, n]) => new Array<number>(n).fill(idx));
  }

  const expect: Record<string, Expectation> = {};
  for (const [label, e] of Object.entries(raw.expect ?? {})) {
    if (!labels.has(label)) {
      loc.atKey(
        ['expect'],
        label,
        `expect names '${label}', which is not a column of 'variants'${didYouMean(label, labels)} (${[...labels].join(', ')})`,
      );
      continue;
    }
    const keyNode = loc.keyNode(['expect'], label);
    const ex: Expectation = { pos: keyNode ? loc.pos(loc.rangeOf(keyNode)[0]) : undefined };
    ex.violation = listOf(e.violation);
    ex.never = listOf(e.never);
    if (e.clean !== undefined) ex.clean = e.clean as boolean;
    const checkTask = (name: string, path: Path, opIndex?: number) => {
      const ti = taskIndex.get(name);
      if (ti === undefined)
        loc.at(
          [...path, 'task'],
          `unknown task '${name}'${didYouMean(name, taskIndex.keys())}; tasks: ${[...taskIndex.keys()].join(', ')}`,
        );
      else if (opIndex !== undefined && opIndex >= raw.tasks[ti].ops.length)
        loc.at(
          [...path, 'op'],
          `task '${name}' has ${raw.tasks[ti].ops.length} ops (#0 to #${raw.tasks[ti].ops.length - 1}); op ${opIndex} does not exist`,
        );
    };
    const names = (k: 'violation' | 'never') => {
      const v = e[k];
      if (typeof v === 'string') checkInvariant(v, ['expect', label, k], k === 'never');
      else if (Array.isArray(v)) v.forEach((n, i) => checkInvariant(String(n), ['expect', label, k, i], k === 'never'));
    };
    names('violation');
    names('never');
    if (Array.isArray(e.results)) {
      ex.results = e.results as Expectation['results'];
      ex.results!.forEach((r, i) => checkTask(r.task, ['expect', label, 'results', i], r.op));
    }
    if (Array.isArray(e.signals)) {
      ex.signals = e.signals as Expectation['signals'];
      ex.signals!.forEach((s, i) => checkTask(s.task, ['expect', label, 'signals', i], s.op));
    }
    if (Array.isArray(e.lockOps)) {
      ex.lockOps = e.lockOps as Expectation['lockOps'];
      ex.lockOps!.forEach((l, i) => checkLock(l.lock, ['expect', label, 'lockOps', i, 'lock']));
    }
    if (ex.violation && ex.never) {
      const both = ex.violation.filter((v) => ex.never!.includes(v) || ex.never!.includes('any'));
      if (both.length) loc.at(['expect', label], `expect '${label}' asks both violation and never for ${both.join(', ')}`);
    }
    if (ex.violation && ex.clean) loc.at(['expect', label], `expect '${label}' asks both a violation and clean`);
    expect[label] = ex;
  }

  const world: WorldSpec = { mms: mms.map((m) => ({ ...m })), tasks };
  if (raw.world.files) world.files = files.map((f) => ({ ...f }) as WorldSpec['files'] extends (infer F)[] | undefined ? F : never);
  if (raw.world.nodes) world.nodes = [...nodes];
  if (raw.world.memoryPages !== undefined) world.memoryPages = raw.world.memoryPages;
  if (raw.world.maxMapCount !== undefined) world.maxMapCount = raw.world.maxMapCount;
  if (raw.world.cpus) world.cpus = [...raw.world.cpus];

  return {
    file: loc.file,
    title: raw.title,
    description: raw.description ?? '',
    world,
    columns,
    schedule,
    scheduleFrom,
    bounds: { ...(raw.bounds ?? {}) },
    expect,
  };
}
