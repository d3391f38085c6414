// Messages between the extension host and the comparison webview, and their validators.
// Imported by both sides; no vscode and no DOM here. Each side validates what it receives:
// the page does not trust the host's data shape, the host does not trust the page.
import type { Comparison } from '../scenario/comparisonModel';
import type { Exploration } from '../scenario/explorationModel';

/** Where the selection sits: a run column of a comparison, or a counterexample of an exploration. */
export type Selection = { view: 'comparison'; run: number; step: number } | { view: 'exploration'; counterexample: number; step: number };

export type HostToWebview =
  | { type: 'version'; version: string }
  | { type: 'showComparison'; comparison: Comparison; selection?: Selection }
  | { type: 'showExploration'; exploration: Exploration; selection?: Selection }
  | { type: 'select'; selection: Selection }
  | { type: 'progress'; message: string; done: boolean };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'selectStep'; selection: Selection; fn?: string }
  | { type: 'revealFunction'; fn: string }
  | { type: 'export'; format: 'html' | 'json' }
  | { type: 'compareVariants' }
  /** the page drew what it was sent (or restored): the host knows the panel shows it, and for a
   * comparison what the page shows (read back from its own table: the run cards' and the invariant table's text) */
  | { type: 'rendered'; view: 'comparison' | 'exploration'; events: number; drawn?: DrawnComparison };

/** A comparison as the page drew it: column headings, run cards with their expectation verdicts and,
 * per invariant row, each cell's text. */
export interface DrawnComparison {
  columns: string[];
  cards: string[];
  /** per run card, the text of each expectation line ("proven absent: never: any — ...") */
  verdicts: string[][];
  invariants: { invariant: string; cells: string[] }[];
}

// ---- validation: tiny combinators that name the path of the first mismatch ----

type Check = (v: unknown, path: string) => string | null;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const str: Check = (v, p) => (typeof v === 'string' ? null : `${p}: expected a string`);
const num: Check = (v, p) => (typeof v === 'number' && Number.isFinite(v) ? null : `${p}: expected a number`);
const int: Check = (v, p) => (Number.isInteger(v) ? null : `${p}: expected an integer`);
const bool: Check = (v, p) => (typeof v === 'boolean' ? null : `${p}: expected a boolean`);
const lit =
  (...vals: string[]): Check =>
  (v, p) =>
    typeof v === 'string' && vals.includes(v) ? null : `${p}: expected one of ${vals.join(', ')}`;
const opt =
  (c: Check): Check =>
  (v, p) =>
    v === undefined ? null : c(v, p);
const nullable =
  (c: Check): Check =>
  (v, p) =>
    v === null ? null : c(v, p);

const arr =
  (c: Check): Check =>
  (v, p) => {
    if (!Array.isArray(v)) return `${p}: expected an array`;
    for (let i = 0; i < v.length; i++) {
      const e = c(v[i], `${p}[${i}]`);
      if (e) return e;
    }
    return null;
  };

const obj =
  (fields: Record<string, Check>): Check =>
  (v, p) => {
    if (!isObj(v)) return `${p}: expected an object`;
    for (const k in fields) {
      const e = fields[k](v[k], `${p}.${k}`);
      if (e) return e;
    }
    return null;
  };

const record =
  (c: Check): Check =>
  (v, p) => {
    if (!isObj(v)) return `${p}: expected an object`;
    for (const k of Object.keys(v)) {
      const e = c(v[k], `${p}.${k}`);
      if (e) return e;
    }
    return null;
  };

const strs = arr(str);
const lit_true: Check = (v, p) => (v === true ? null : `${p}: expected true`);

const traceKinds = ['enter', 'exit', 'lock', 'unlock', 'sleep', 'pte', 'ref', 'pin', 'fault', 'signal', 'violation', 'op', 'note'];

const traceEvent = obj({
  seq: int,
  step: int,
  task: int,
  kind: lit(...traceKinds),
  fn: str,
  detail: str,
  locks: strs,
});

const violation = obj({
  invariant: str,
  message: str,
  task: opt(str),
  step: int,
  fn: opt(str),
  locksHeld: strs,
});

const opResult = obj({
  task: str,
  index: int,
  op: str,
  result: str,
  signal: opt(lit('SIGSEGV', 'SIGBUS')),
});

const pte = obj({
  addr: num,
  pgd: int,
  pmd: int,
  pte: int,
  kind: lit('present', 'swap', 'file'),
  pfn: opt(int),
  prot: opt(str),
  dirty: opt(bool),
  young: opt(bool),
  pgoff: opt(int),
  swapSlot: opt(int),
  huge: opt(bool),
  pages: opt(int),
});

const vma = obj({ start: num, end: num, flags: strs, prot: str, pgoff: int, file: opt(str), ops: strs });

const snapshot = obj({
  mms: arr(obj({ name: str, rss: int, mapCount: int, vmas: arr(vma), ptes: arr(pte) })),
  pages: arr(
    obj({
      pfn: int,
      count: int,
      mapcount: int,
      pins: int,
      flags: strs,
      file: opt(str),
      index: opt(int),
      version: opt(int),
    }),
  ),
  files: arr(obj({ name: str, size: int, cached: arr(int), versions: arr(int) })),
});

const variantSelection = obj({ fault: opt(str), gup: opt(str), release: opt(str), remap: opt(str) });

// scope is optional: a comparison saved before outcomes said what they speak of still loads
const expectation = obj({
  text: str,
  met: bool,
  detail: str,
  undecided: opt(lit_true),
  scope: opt(lit('all schedules', 'some schedule', 'run')),
  on: opt(str),
  shown: opt(obj({ same: bool, met: bool, detail: str })),
});

const variantRun = obj({
  label: str,
  variants: variantSelection,
  schedule: arr(int),
  trace: arr(traceEvent),
  violations: arr(violation),
  results: arr(opResult),
  snapshot,
  lockOps: record(record(num)),
  expectations: arr(expectation),
  exploration: opt(
    obj({
      schedules: int,
      states: int,
      complete: bool,
      timeMs: num,
      violations: arr(obj({ invariant: str, message: str, schedule: arr(int) })),
    }),
  ),
});

const comparison = obj({
  scenario: str,
  title: str,
  description: str,
  tasks: strs,
  runs: arr(variantRun),
  invariants: arr(obj({ invariant: str, counts: arr(int), explored: opt(strs) })),
  firstDivergence: nullable(obj({ step: int, eventIndex: arr(int), summary: str })),
  schedule: opt(obj({ source: str, schedule: arr(int), text: str })),
  partial: opt(obj({ reason: lit('cancelled'), requested: strs })),
});

const exploration = obj({
  scenario: str,
  title: str,
  tasks: strs,
  variant: str,
  selection: variantSelection,
  schedules: int,
  states: int,
  steps: int,
  revisits: int,
  timeMs: num,
  reduction: str,
  complete: bool,
  incompleteReason: nullable(str),
  preemptionBounded: bool,
  cancelled: bool,
  timedOut: bool,
  firstViolationMs: nullable(num),
  violations: arr(
    obj({
      invariant: str,
      message: str,
      schedule: arr(int),
      scheduleText: str,
      preemptions: int,
      step: int,
      task: nullable(str),
      fn: nullable(str),
      locksHeld: strs,
      replay: opt(obj({ schedule: arr(int), trace: arr(traceEvent) })),
    }),
  ),
  expectations: arr(expectation),
  ok: bool,
});

const selection: Check = (v, p) => {
  if (!isObj(v)) return `${p}: expected an object`;
  if (v.view === 'comparison') return obj({ run: int, step: int })(v, p);
  if (v.view === 'exploration') return obj({ counterexample: int, step: int })(v, p);
  return `${p}.view: expected comparison or exploration`;
};

/** one validator per message type: a type added to a union without one does not compile */
type Checks<M extends { type: string }> = { [K in M['type']]: Check };

const hostMessages: Checks<HostToWebview> = {
  version: obj({ version: str }),
  showComparison: obj({ comparison, selection: opt(selection) }),
  showExploration: obj({ exploration, selection: opt(selection) }),
  select: obj({ selection }),
  progress: obj({ message: str, done: bool }),
};

const webviewMessages: Checks<WebviewToHost> = {
  ready: obj({}),
  selectStep: obj({ selection, fn: opt(str) }),
  revealFunction: obj({ fn: str }),
  export: obj({ format: lit('html', 'json') }),
  compareVariants: obj({}),
  rendered: obj({
    view: lit('comparison', 'exploration'),
    events: int,
    drawn: opt(obj({ columns: strs, cards: strs, verdicts: arr(strs), invariants: arr(obj({ invariant: str, cells: strs })) })),
  }),
};

export type Validated<T> = { ok: true; message: T } | { ok: false; error: string };

function validate<T>(table: Readonly<Record<string, Check>>, m: unknown): Validated<T> {
  if (!isObj(m)) return { ok: false, error: 'message: expected an object' };
  const t = m.type;
  if (typeof t !== 'string' || !Object.prototype.hasOwnProperty.call(table, t)) {
    return { ok: false, error: `message.type: unknown message type ${JSON.stringify(t)}` };
  }
  const e = table[t](m, 'message');
  return e ? { ok: false, error: e } : { ok: true, message: m as T };
}

/** Validate a message the webview received from the host. */
export function validateHostMessage(m: unknown): Validated<HostToWebview> {
  return validate<HostToWebview>(hostMessages, m);
}

/** Validate a message the host received from the webview. */
export function validateWebviewMessage(m: unknown): Validated<WebviewToHost> {
  return validate<WebviewToHost>(webviewMessages, m);
}

/** Check a comparison alone (used for restored state and for files loaded from disk). */
export function validateComparison(v: unknown): string | null {
  return comparison(v, 'comparison');
}

export function validateExploration(v: unknown): string | null {
  return exploration(v, 'exploration');
}

/** State the page keeps through setState: enough to redraw after hide/show or a restart. */
export interface PanelState {
  comparison?: Comparison;
  exploration?: Exploration;
  selection?: Selection;
}

export function validatePanelState(v: unknown): PanelState | null {
  if (!isObj(v)) return null;
  const out: PanelState = {};
  if (v.comparison !== undefined) {
    if (comparison(v.comparison, 's')) return null;
    out.comparison = v.comparison as unknown as Comparison;
  }
  if (v.exploration !== undefined) {
    if (exploration(v.exploration, 's')) return null;
    out.exploration = v.exploration as unknown as Exploration;
  }
  if (v.selection !== undefined && !selection(v.selection, 's')) out.selection = v.selection as Selection;
  return out;
}
