// Which quick fixes a C file gets, decided from the analyser's per-finding edits: a hook
// implementation is converted as a whole (header, every old-style return, and the lock the new
// contract makes the implementation drop) or not at all, and no fix is offered whose result adds a
// syntax error, still uses a parameter it removed, returns a value of the old convention, or still
// has findings of its own. No vscode import: unit tests run it on fixture files.
import type { Analysis, LockContract, SourceFinding } from '../patch/analysisModel';
import { matchingBracket } from '../patch/cScan';

export interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

export interface FixPlan {
  /** the function converted, or the call fixed */
  function: string;
  title: string;
  /** the findings the fix resolves */
  findings: SourceFinding[];
  edits: OffsetEdit[];
}

export interface FixRefusal {
  function: string;
  findings: SourceFinding[];
  reason: string;
}

/** Counts syntax errors (tree-sitter ERROR and MISSING nodes) in a C text. */
export type SyntaxErrorCounter = (text: string) => number;

export interface FixContext {
  analysis: Analysis;
  /** findings of a text, the way the file is scanned (same analysis and settings) */
  rescan: (text: string) => SourceFinding[];
  syntaxErrors?: SyntaxErrorCounter;
}

const HOOK_KINDS = new Set<SourceFinding['kind']>(['hook-implementation', 'hook-return']);

function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

function offsetOf(starts: number[], line1: number, column: number): number {
  return (starts[line1 - 1] ?? starts[starts.length - 1]) + column;
}

export function applyEdits(text: string, edits: readonly OffsetEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

/** code with comments and string/char contents blanked (offsets kept), for identifier searches */
function codeOnly(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, (m) => m.replace(/[^\n]/g, ' '));
}

interface Param {
  type: string;
  name: string;
}

function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out.map((p) => p.trim()).filter((p) => p && p !== 'void');
}

function parseParam(p: string): Param {
  const m = /^(.*?)([A-Za-z_]\w*)\s*(\[[^\]]*\])?$/.exec(p.replace(/\s+/g, ' ').trim());
  if (!m) return { type: p, name: '' };
  return { type: (m[1] + (m[3] ? '*' : '')).replace(/\s+\*/g, ' *').trim(), name: m[2] };
}

/** A function definition at `headerStart`: its return type, name, parameters and body span. */
export interface FnShape {
  ret: string;
  name: string;
  params: Param[];
  headerEnd: number;
  bodyStart: number;
  bodyEnd: number;
}

export function functionAt(text: string, headerStart: number): FnShape | undefined {
  const code = codeOnly(text);
  const open = code.indexOf('(', headerStart);
  if (open < 0) return undefined;
  const close = matchingBracket(code, open);
  if (close < 0) return undefined;
  const brace = code.indexOf('{', close);
  if (brace < 0 || code.slice(close + 1, brace).trim() !== '') return undefined;
  const end = matchingBracket(code, brace);
  if (end < 0) return undefined;
  const head = code.slice(headerStart, open).replace(/\s+/g, ' ').trim();
  const nm = /([A-Za-z_]\w*)\s*$/.exec(head);
  if (!nm) return undefined;
  const ret = head
    .slice(0, nm.index)
    .replace(/\b(static|inline|extern|__inline__|__always_inline|noinline)\b/g, '')
    .replace(/\s+\*/g, ' *')
    .trim();
  return {
    ret,
    name: nm[1],
    params: splitTop(code.slice(open + 1, close)).map(parseParam),
    headerEnd: close + 1,
    bodyStart: brace,
    bodyEnd: end + 1,
  };
}

const isPointer = (type: string) => type.trim().endsWith('*');

/** what `return expr` returns, as far as the function's own declarations tell */
function pointerNames(body: string, params: Param[]): Set<string> {
  const out = new Set(params.filter((p) => isPointer(p.type)).map((p) => p.name));
  const decl = /(?:^|[;{}]\s*)(?:const\s+|static\s+)*(?:struct|union)?\s*[A-Za-z_]\w*\s*\*\s*([A-Za-z_]\w*)\s*[=;,[]/g;
  for (let m = decl.exec(body); m; m = decl.exec(body)) out.add(m[1]);
  return out;
}

/** Problems with a converted function, each a sentence; empty when it is consistent. */
export function checkConverted(text: string, before: FnShape, after: FnShape, contract?: LockContract): string[] {
  const problems: string[] = [];
  const body = codeOnly(text.slice(after.bodyStart, after.bodyEnd));
  const kept = new Set(after.params.map((p) => p.name));
  for (const p of before.params) {
    if (!p.name || kept.has(p.name)) continue;
    const use = new RegExp(`\\b${p.name}\\b`).exec(body);
    if (use) {
      const lineText = text.slice(after.bodyStart + use.index).split('\n')[0];
      const full =
        text
          .slice(text.lastIndexOf('\n', after.bodyStart + use.index) + 1)
          .split('\n')[0]
          .trim() || lineText.trim();
      problems.push(`parameter '${p.name}' is removed but still used: \`${full}\``);
    }
  }
  const pointers = pointerNames(body, after.params);
  const re = /\breturn\b\s*([^;]*);/g;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const expr = m[1].trim();
    if (!expr) continue;
    const oldStyle = /^(NULL|NOPAGE_\w+)$/.test(expr) || (/^[A-Za-z_]\w*$/.test(expr) && pointers.has(expr));
    if (!isPointer(after.ret) && oldStyle)
      problems.push(`'return ${expr}' returns a pointer from a function that now returns ${after.ret}`);
    if (isPointer(after.ret) && /^VM_FAULT_\w+$/.test(expr))
      problems.push(`'return ${expr}' returns a fault code from a function that returns ${after.ret}`);
  }
  if (contract && contract.atEntry === 'held' && contract.droppedBy === 'implementation') {
    const unlock = new RegExp(`\\b(spin_unlock|up_read|up_write|unlock_page)\\s*\\([^;]*\\b${contract.lock}\\b`);
    const firstReturn = /\breturn\b/.exec(body);
    const u = unlock.exec(body);
    if (!u || (firstReturn && firstReturn.index < u.index))
      problems.push(
        `the patched ->${contract.hook.split('.').pop()} is entered with ${contract.lock} held and the implementation must drop it before returning`,
      );
  }
  return problems;
}

/** the lock contract of a hook in the version the scanner converts to (the one with the most parameters changed last) */
export function targetContract(a: Analysis, api: string): LockContract | undefined {
  const member = api.split('.').pop()!.replace(/^->/, '');
  const same = a.lockContracts.filter((l) => (l.hook.split('.').pop() ?? l.hook).replace(/^->/, '') === member);
  return same[same.length - 1];
}

/** Statements that drop the contract's lock at the top of a converted implementation: the unlock the
 * patch's own implementations add (the contract's evidence), on this function's parameter names, after
 * unmapping a pte the hook receives mapped. */
function lockDropPreamble(contract: LockContract, after: FnShape): string[] | undefined {
  const evidence = contract.evidence
    .map((e) => e.text.replace(/^[+\- ]/, '').trim())
    .find((t) => new RegExp(`^spin_unlock\\s*\\(.*\\b${contract.lock}\\b`).test(t));
  if (!evidence) return undefined;
  const mm = after.params.find((p) => p.type === 'struct mm_struct *');
  const owner = /\(\s*&\s*([A-Za-z_]\w*)\s*->/.exec(evidence)?.[1];
  if (!mm || !owner) return undefined;
  const out: string[] = [];
  for (const p of after.params) if (p.type === 'pte_t *') out.push(`pte_unmap(${p.name});`);
  out.push(evidence.replace(new RegExp(`&\\s*${owner}\\s*->`), `&${mm.name}->`));
  return out;
}

/** the offset after the declarations that open a body (start of the first statement's line), and its indentation */
function afterDeclarations(text: string, fn: FnShape): { at: number; indent: string } {
  const code = codeOnly(text);
  const isDecl = (line: string) =>
    /^\s*(?:const\s+|static\s+|register\s+|volatile\s+)*(?:struct|union|enum|unsigned|signed|int|long|short|char|void|u8|u16|u32|u64|size_t|[A-Za-z_]\w*_t)\b[^;(]*[;=]/.test(
      line,
    ) || /^\s*(?:struct\s+)?[A-Za-z_]\w*\s*\*+\s*[A-Za-z_]\w*\s*[=;,[]/.test(line);
  let indent = '\t';
  const first = code.indexOf('\n', fn.bodyStart);
  if (first < 0 || first >= fn.bodyEnd) return { at: fn.bodyStart + 1, indent };
  let pos = first + 1;
  while (pos < fn.bodyEnd - 1) {
    const nl = code.indexOf('\n', pos);
    const lineEnd = nl < 0 || nl > fn.bodyEnd ? fn.bodyEnd : nl;
    const line = code.slice(pos, lineEnd);
    if (line.trim() === '') {
      pos = lineEnd + 1;
      continue;
    }
    indent = /^\s*/.exec(line)![0] || indent;
    if (!isDecl(line)) return { at: pos, indent };
    // a declaration may span lines: go on after its semicolon
    const semi = code.indexOf(';', pos);
    if (semi < 0 || semi >= fn.bodyEnd) return { at: pos, indent };
    const endl = code.indexOf('\n', semi);
    pos = endl < 0 ? fn.bodyEnd : endl + 1;
  }
  return { at: Math.min(pos, fn.bodyEnd - 1), indent };
}

/** Quick fixes for the findings of one C text: whole-function conversions and single-call edits that
 * pass every check, and the reasons for the findings that get none. */
export function planFixes(text: string, findings: readonly SourceFinding[], ctx: FixContext): { plans: FixPlan[]; refused: FixRefusal[] } {
  const starts = lineStarts(text);
  const plans: FixPlan[] = [];
  const refused: FixRefusal[] = [];
  const toOffsets = (f: SourceFinding): OffsetEdit | undefined =>
    f.edit && {
      start: offsetOf(starts, f.edit.line, f.edit.column),
      end: offsetOf(starts, f.edit.endLine, f.edit.endColumn),
      newText: f.edit.newText,
    };
  const errorsBefore = ctx.syntaxErrors?.(text);
  const findingsBefore = findings.length;

  const verify = (
    group: SourceFinding[],
    edits: OffsetEdit[],
    fnName: string,
    check?: (result: string) => string[],
  ): string | undefined => {
    const result = applyEdits(text, edits);
    if (ctx.syntaxErrors && errorsBefore !== undefined) {
      const after = ctx.syntaxErrors(result);
      if (after > errorsBefore)
        return `the result would not parse (${after - errorsBefore} new syntax error${after - errorsBefore === 1 ? '' : 's'})`;
    }
    const problems = check?.(result) ?? [];
    if (problems.length) return problems.join('; ');
    const again = ctx.rescan(result);
    const left = again.filter((f) => f.function === fnName && group.some((g) => g.kind === f.kind && g.api === f.api));
    if (left.length) return `the result still has findings: ${left.map((f) => f.message).join('; ')}`;
    if (again.length > findingsBefore - group.length) return 'the result has new findings elsewhere';
    return undefined;
  };

  // hook implementations: the whole function or nothing
  const byFn = new Map<string, SourceFinding[]>();
  for (const f of findings)
    if (HOOK_KINDS.has(f.kind))
      (byFn.get(`${f.api}\u0000${f.function}`) ?? byFn.set(`${f.api}\u0000${f.function}`, []).get(`${f.api}\u0000${f.function}`)!).push(f);
  for (const group of byFn.values()) {
    const head = group.find((f) => f.kind === 'hook-implementation');
    const fnName = group[0].function;
    if (!head) continue; // returns of an implementation already in the new form: shown, not fixed here
    // a finding without an edit of its own is covered when another finding's edit replaces its range
    // (the analyser converts a whole implementation in one edit)
    const edited = group.map(toOffsets).filter((e): e is OffsetEdit => !!e);
    const at = (f: SourceFinding) => ({ start: offsetOf(starts, f.line, f.column), end: offsetOf(starts, f.endLine, f.endColumn) });
    const missing = group.filter((f) => !f.edit && !edited.some((e) => e.start <= at(f).start && at(f).end <= e.end));
    if (missing.length) {
      refused.push({
        function: fnName,
        findings: group,
        reason: `not every change is mechanical: ${missing.map((f) => f.message).join('; ')}`,
      });
      continue;
    }
    const headerStart = offsetOf(starts, head.line, head.column);
    const before = functionAt(text, headerStart);
    if (!before) {
      refused.push({ function: fnName, findings: group, reason: 'the function definition could not be read' });
      continue;
    }
    const edits = edited;
    const contract = targetContract(ctx.analysis, head.api);
    const needsDrop = contract && contract.atEntry === 'held' && contract.droppedBy === 'implementation';
    if (needsDrop) {
      const converted = applyEdits(text, edits);
      const shape = functionAt(converted, headerStart);
      // only when the analyser's conversion does not already drop the lock
      const drops = shape && !checkConverted(converted, before, shape, contract).some((p) => p.includes(contract.lock));
      const pre = shape && !drops && lockDropPreamble(contract, shape);
      const { at, indent } = afterDeclarations(text, before);
      if (pre && !edits.some((e) => e.start <= at && at < e.end)) {
        // inserted in the original text's coordinates, after the local declarations
        edits.push({ start: at, end: at, newText: pre.map((s) => `${indent}${s}\n`).join('') });
      }
    }
    const why = verify(group, edits, fnName, (result) => {
      const after = functionAt(result, headerStart);
      return after ? checkConverted(result, before, after, contract) : ['the converted function could not be read back'];
    });
    if (why) refused.push({ function: fnName, findings: group, reason: why });
    else {
      const returns = group.length - 1;
      plans.push({
        function: fnName,
        findings: group,
        edits,
        title: `Convert ${fnName} to the patched ->${head.api.split('.').pop()} (signature${returns ? `, ${returns} return${returns === 1 ? '' : 's'}` : ''}${needsDrop ? `, drop ${contract.lock}` : ''})`,
      });
    }
  }

  // calls: one edit each, kept only if the result is clean
  for (const f of findings) {
    if (HOOK_KINDS.has(f.kind)) continue;
    const e = toOffsets(f);
    if (!e) continue;
    const why = verify([f], [e], f.function);
    if (why) refused.push({ function: f.function, findings: [f], reason: why });
    else plans.push({ function: f.function, findings: [f], edits: [e], title: `Convert for the patched ${f.api}` });
  }
  return { plans, refused };
}
