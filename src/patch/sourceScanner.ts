// Scans a C source file for the places an analysed patch affects: implementations of a changed hook
// still written the old way (->nopage with the old signature and return convention), calls whose
// argument count the patch changes (get_user_pages losing vmas), and put_page() on pages that came
// from get_user_pages(). One pass of a small lexer splits the file into functions; each function is
// scanned on its own and cached by its text, so re-scanning an edited file only redoes the functions
// that changed. Mechanical fixes come with an edit.
import type { Analysis, SourceFinding } from './analysisModel';
import type { CParser } from './cParser';
import { directiveEnd, skipLexeme } from './cScan';
import { normType } from './cTypes';
import { fixProblem, parserOf } from './fixCheck';
import { lineAt, lineStarts } from './lineStarts';
import { argSpans, openingParen } from './parens';

interface HookTarget {
  api: string;
  member: string;
  before: ParsedSig;
  after: ParsedSig;
  /** VM_FAULT_* spellings of NOPAGE_* and NULL, when the patch converts the return convention */
  returnMap: Map<string, string>;
  /** the helper that installs the page, when the patch adds one (install_new_page) */
  installer?: ParsedSig;
  /** the lock the new contract makes each implementation drop at entry ("page_table_lock"), with the
   * statements the patch's own implementations use for it, in the hook's parameter names */
  drop?: string[];
}

interface ParsedSig {
  ret: string;
  name: string;
  params: { type: string; name: string }[];
}

interface Targets {
  hooks: HookTarget[];
  arity: Map<string, { before: ParsedSig; after: ParsedSig }>;
  releaseName?: string;
  /** the patch's own caller conversions (put_page -> put_user_pages_dirty_lock(&$PAGE, 1, $DIRTY)), latest version */
  replacements: { pattern: string; dirtied: boolean; args: number }[];
  /** identifiers any finding could be about: a function without any of them is skipped cheaply */
  words: RegExp;
}

interface FnSpan {
  name: string;
  headerStart: number;
  /** offset of ')' closing the parameter list */
  paramsEnd: number;
  nameStart: number;
  bodyStart: number;
  bodyEnd: number;
}

/** Per-function results, relative to the function's header start, keyed by the function text. */
export interface ScanCache {
  fns: Map<string, RelFinding[]>;
}

interface RelFinding extends Omit<SourceFinding, 'line' | 'column' | 'endLine' | 'endColumn' | 'edit'> {
  start: number;
  end: number;
  edit?: { start: number; end: number; newText: string };
}

const targetCache = new WeakMap<Analysis, Targets>();

function parseSig(text: string | undefined): ParsedSig | undefined {
  if (!text) return undefined;
  const t = text.replace(/^typedef\s+/, '');
  const m =
    /^(.*?)\(\s*\*\s*([A-Za-z_]\w*)\s*\)\s*\((.*)\)\s*$/s.exec(t) ?? /^(.*?)([A-Za-z_]\w*(?:\([A-Za-z_]\w*\))?)\s*\((.*)\)\s*$/s.exec(t);
  if (!m) return undefined;
  const params = m[3].trim() === '' || m[3].trim() === 'void' ? [] : splitTop(m[3]).map(parseParam);
  return { ret: normType(m[1]), name: m[2], params };
}

function parseParam(p: string): { type: string; name: string } {
  const t = p.trim();
  if (t === '...') return { type: '...', name: '' };
  const m = /^(.*?)([A-Za-z_]\w*)\s*((?:\[\s*\w*\s*\])*)$/.exec(t);
  const base = m && !/^(struct|union|enum|const|unsigned|signed)$/.test(m[2]) && /\S/.test(m[1]) ? m[1] + (m[3] ? '*' : '') : t;
  const name = m && base !== t ? m[2] : '';
  return { type: normType(base), name };
}

function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(s.slice(start).trim());
  return out;
}

function targetsOf(a: Analysis): Targets {
  const hit = targetCache.get(a);
  if (hit) return hit;
  const hooks: HookTarget[] = [];
  const arity = new Map<string, { before: ParsedSig; after: ParsedSig }>();
  const added = new Map<string, string>();
  for (const c of a.apiChanges) {
    if (c.kind === 'added-function' && c.after) added.set(c.name, c.after);
    else if (c.kind === 'conversion' && c.conversion && c.after) added.set(c.conversion.to, c.after);
  }
  // the last version of each change wins (a thread's later patch)
  for (const c of a.apiChanges) {
    if (c.kind === 'member-signature') {
      const before = parseSig(c.before);
      const after = parseSig(c.after);
      if (!before || !after) continue;
      const conv = a.apiChanges.find((r) => r.kind === 'return-convention' && r.name === c.name && r.version === c.version);
      const returnMap = new Map<string, string>();
      if (conv?.after && /VM_FAULT_/.test(conv.after)) {
        returnMap.set('NULL', 'VM_FAULT_SIGBUS');
        returnMap.set('NOPAGE_SIGBUS', 'VM_FAULT_SIGBUS');
        returnMap.set('NOPAGE_OOM', 'VM_FAULT_OOM');
      }
      const installer = conv?.after && /install_new_page\(/.test(conv.after) ? parseSig(added.get('install_new_page')) : undefined;
      const api = `${c.container}.${c.name}`;
      const i = hooks.findIndex((h) => h.api === api);
      const t: HookTarget = { api, member: c.name, before, after, returnMap, installer, drop: dropStatements(a, api, c.version) };
      if (i >= 0) hooks[i] = t;
      else hooks.push(t);
    } else if (c.kind === 'signature' && c.before && c.after && !c.before.startsWith('#')) {
      const before = parseSig(c.before);
      const after = parseSig(c.after);
      if (before && after && before.params.length !== after.params.length) arity.set(c.name, { before, after });
    }
  }
  const putNames = ['unpin_user_page', 'put_user_page'];
  let releaseName: string | undefined;
  for (const n of putNames)
    if (added.has(n)) {
      releaseName = n;
      break;
    }
  if (!releaseName && a.variants.includes('put_user_page')) releaseName = 'put_user_page';
  const words = [
    ...hooks.map((h) => h.member),
    ...arity.keys(),
    ...(releaseName ? ['get_user_pages', 'pin_user_pages', 'put_page', 'page_cache_release'] : []),
    'NOPAGE_',
    'nopage',
  ].map((w) => w.replace(/[^\w]/g, '\\$&'));
  const allRepl = a.callerReplacements ?? [];
  const lastVersion = allRepl.length ? allRepl[allRepl.length - 1].version : undefined;
  const replacements = allRepl
    .filter((r) => r.version === lastVersion)
    .map((r) => ({ pattern: r.pattern, dirtied: r.dirtied, args: r.args }));
  if (!releaseName && replacements.length)
    releaseName = /^(\w+)\(/.exec(replacements.find((r) => !r.dirtied)?.pattern ?? replacements[0].pattern)![1];
  const t: Targets = { hooks, arity, releaseName, replacements, words: new RegExp(words.length ? words.join('|') : '(?!)') };
  targetCache.set(a, t);
  return t;
}

/**
 * The statements an implementation adds to drop what the new contract hands it: the patch's own added
 * release lines (and the pte_unmap() of the page table it is passed), from the contract's evidence.
 */
function dropStatements(a: Analysis, api: string, version: string | undefined): string[] | undefined {
  const c = a.lockContracts.find(
    (x) => x.hook === api && x.version === version && x.atEntry === 'held' && x.droppedBy === 'implementation',
  );
  if (!c) return undefined;
  const out: string[] = [];
  const texts = c.evidence.filter((e) => e.text.startsWith('+')).map((e) => e.text.slice(1).trim());
  const unmap =
    a.implementations.some((i) => i.hook === api && i.version === version && i.consistent) || texts.some((t) => /^pte_unmap\(/.test(t));
  if (
    unmap &&
    a.apiChanges.some((x) => x.kind === 'member-signature' && `${x.container}.${x.name}` === api && /pte_t \*/.test(x.after ?? ''))
  )
    out.push('pte_unmap(page_table);');
  const release = texts.find((t) => /^spin_unlock\s*\(.*\);$/.test(t) && t.includes(c.lock));
  if (!release) return undefined;
  out.push(release);
  return out;
}

/** Split a C file into top-level functions with one lexer pass (comments, strings, preprocessor lines skipped). */
export function splitFunctions(text: string): { fns: FnSpan[]; nopageAssigned: Map<string, string> } {
  const fns: FnSpan[] = [];
  const n = text.length;
  let depth = 0;
  let headerStart = 0;
  let bodyStart = -1;
  let atLineStart = true;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      atLineStart = true;
      continue;
    }
    if (c === 32 || c === 9 || c === 13) continue;
    if (c === 35 /* # */ && atLineStart) {
      // preprocessor line, with continuations
      i = directiveEnd(text, i);
      if (depth === 0) headerStart = i + 1;
      atLineStart = true;
      continue;
    }
    atLineStart = false;
    // comments, strings and character literals (the loop's i++ steps onto what follows them)
    const after = skipLexeme(text, i);
    if (after !== i) {
      i = after - 1;
      continue;
    }
    if (c === 123 /* { */) {
      if (depth === 0) bodyStart = i;
      depth++;
    } else if (c === 125 /* } */) {
      depth--;
      if (depth === 0 && bodyStart >= 0) {
        const fn = functionHeader(text, headerStart, bodyStart);
        if (fn) fns.push({ ...fn, bodyStart, bodyEnd: i + 1 });
        bodyStart = -1;
        headerStart = i + 1;
      } else if (depth < 0) {
        depth = 0;
        headerStart = i + 1;
      }
    } else if (c === 59 /* ; */ && depth === 0) {
      headerStart = i + 1;
    }
  }
  const nopageAssigned = new Map<string, string>();
  const re = /\.\s*([A-Za-z_]\w*)\s*=\s*([A-Za-z_]\w*)\s*[,}]/g;
  for (let m = re.exec(text); m; m = re.exec(text)) nopageAssigned.set(m[2], m[1]);
  return { fns, nopageAssigned };
}

function functionHeader(text: string, from: number, brace: number): Omit<FnSpan, 'bodyStart' | 'bodyEnd'> | undefined {
  // the header ends with ')' right before the body (allowing attributes would need more; kernel style does not)
  let e = brace - 1;
  while (e > from && /\s/.test(text[e])) e--;
  if (text[e] !== ')') return undefined;
  // match the parameter list's '('
  const p = openingParen(text, e);
  if (p < from) return undefined;
  let q = p - 1;
  while (q >= from && /\s/.test(text[q])) q--;
  const nameEnd = q + 1;
  // a macro-wrapped name: DRM(vm_nopage)
  if (text[q] === ')') {
    const o = openingParen(text, q);
    q = (o >= from ? o : from - 1) - 1;
  }
  while (q >= from && /\w/.test(text[q])) q--;
  const nameStart = q + 1;
  const name = text.slice(nameStart, nameEnd).replace(/\s+/g, '');
  if (!/^[A-Za-z_]/.test(name) || /^(if|while|for|switch|return|sizeof)$/.test(name)) return undefined;
  const header = text.slice(from, nameStart);
  if (/=\s*$/.test(header) || (/\b(struct|union|enum)\s+\w*\s*$/.test(header) && !/\*\s*$/.test(header))) return undefined;
  // the header starts after the comments above it
  let hs = from;
  for (;;) {
    while (hs < nameStart && /\s/.test(text[hs])) hs++;
    if (text.startsWith('/*', hs)) {
      const e = text.indexOf('*/', hs + 2);
      if (e < 0 || e >= nameStart) break;
      hs = e + 2;
    } else if (text.startsWith('//', hs)) {
      const e = text.indexOf('\n', hs);
      if (e < 0 || e >= nameStart) break;
      hs = e + 1;
    } else break;
  }
  return { name, headerStart: hs, paramsEnd: e, nameStart };
}

function paramsExact(a: { type: string }[], b: { type: string }[]): boolean {
  if (a.length !== b.length || a.length === 0) return false;
  for (let i = 0; i < a.length; i++) if (a[i].type !== b[i].type) return false;
  return true;
}

/**
 * The whole function converted the way the patch converts its own implementations: new header, every
 * old-convention return rewritten, and the drop the new lock contract asks for at the top of the body.
 * Undefined text, with the reason, when some part cannot be converted mechanically.
 */
function wholeConversion(
  text: string,
  fn: FnSpan,
  base: number,
  newHeader: string,
  returns: { start: number; end: number; expr: string; replacement?: string }[],
  h: HookTarget,
  params: { type: string; name: string }[],
): { text?: string; why?: string } {
  const unconverted = returns.find((r) => !r.replacement);
  if (unconverted) return { why: `'return ${unconverted.expr}' has no mechanical equivalent` };
  let drop = '';
  if (h.drop) {
    // the hook's parameter names, as this implementation calls them
    const rename = new Map<string, string>();
    h.after.params.forEach((p, k) => {
      if (p.name && params[k]?.name) rename.set(p.name, params[k].name);
    });
    const stmts = h.drop.map((d) => d.replace(/\b[A-Za-z_]\w*\b/g, (w) => rename.get(w) ?? w));
    drop = stmts.map((d) => '\t' + d + '\n').join('');
  }
  const fnText = text.slice(fn.headerStart, fn.bodyEnd);
  const bodyAt = fn.bodyStart - fn.headerStart;
  const edits: { start: number; end: number; text: string }[] = [{ start: 0, end: fn.paramsEnd + 1 - fn.headerStart, text: newHeader }];
  for (const r of returns)
    edits.push({ start: r.start - (fn.headerStart - base), end: r.end - (fn.headerStart - base), text: r.replacement! });
  if (drop) edits.push({ start: afterDeclarations(fnText, bodyAt), end: afterDeclarations(fnText, bodyAt), text: drop });
  edits.sort((a, b) => b.start - a.start);
  let out = fnText;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return { text: out };
}

/** Offset (in the function text) of the line after the body's leading local declarations. */
function afterDeclarations(fnText: string, bodyAt: number): number {
  let at = fnText.indexOf('\n', bodyAt) + 1;
  if (at <= 0) return bodyAt + 1;
  for (;;) {
    const nl = fnText.indexOf('\n', at);
    if (nl < 0) return at;
    const line = fnText.slice(at, nl).trim();
    // a declaration: a type, then a name, ending with ';' (or continued on the next line)
    if (
      line === '' ||
      (/^(?:(?:static|const|unsigned|signed|struct|union|enum|volatile)\s+)*[A-Za-z_]\w*(?:\s+|\s*\*+\s*)[A-Za-z_*][^(]*?(?:=.*)?[;,]$/.test(
        line,
      ) &&
        !/^return\b/.test(line))
    ) {
      at = nl + 1;
      continue;
    }
    return at;
  }
}

function paramsMatch(a: { type: string }[], b: { type: string }[]): boolean {
  if (a.length !== b.length || a.length === 0) return false;
  let eq = 0;
  for (let i = 0; i < a.length; i++) if (a[i].type === b[i].type) eq++;
  return eq >= a.length - 1 && eq >= 2;
}

function sigText(ret: string, name: string, params: { type: string; name: string }[]): string {
  const ps = params.map((p) => (p.type.endsWith('*') ? p.type + p.name : p.type + ' ' + p.name)).join(', ');
  return `${ret.endsWith('*') ? ret : ret + ' '}${name}(${ps})`;
}

/** The new header of a hook implementation: the hook's new types, the implementation's own names where types carry over. */
function convertedParams(own: { type: string; name: string }[], hook: HookTarget): { type: string; name: string }[] {
  const used = new Set<number>();
  return hook.after.params.map((p) => {
    const k = own.findIndex((o, i) => !used.has(i) && o.type === p.type);
    if (k >= 0) {
      used.add(k);
      return { type: p.type, name: own[k].name || p.name };
    }
    return { type: p.type, name: p.name };
  });
}

function scanFunction(
  text: string,
  fn: FnSpan,
  t: Targets,
  assigned: Map<string, string>,
  fileArrays: Set<string>,
  parser: CParser | undefined,
): RelFinding[] {
  const out: RelFinding[] = [];
  const base = fn.headerStart;
  const body = text.slice(fn.bodyStart, fn.bodyEnd);
  const o = openingParen(text, fn.paramsEnd);
  const openParen = o < 0 ? fn.paramsEnd : o;
  const own = splitTop(text.slice(openParen + 1, fn.paramsEnd))
    .filter((p) => p && p !== 'void')
    .map(parseParam);

  // hook implementations: still in the patch's old form (converted whole, or not at all), or in a third
  // form the patch never had (another kernel era): then the patch does not apply to this tree
  for (const h of t.hooks) {
    const isAssigned = assigned.get(fn.name) === h.member;
    const oldExact = paramsExact(own, h.before.params);
    const newExact = paramsExact(own, h.after.params);
    if (newExact) continue;
    const near = paramsMatch(own, h.before.params) || paramsMatch(own, h.after.params);
    if (!oldExact && !(isAssigned || near)) continue;
    const start = fn.headerStart - base;
    const headerEnd = fn.paramsEnd + 1 - base;
    if (!oldExact) {
      out.push({
        kind: 'hook-implementation',
        api: h.api,
        function: fn.name,
        thirdForm: true,
        message: `${fn.name} implements ->${h.member} in a third form, ${sigText(normType(text.slice(fn.headerStart, fn.nameStart).replace(/\b(?:static|inline|extern|__\w+)\b/g, '')), '(*' + h.member + ')', own)}: neither the patch's old form nor its new one; the patch does not apply to this tree`,
        start,
        end: headerEnd,
      });
      continue;
    }
    const prefix = text.slice(fn.headerStart, fn.nameStart);
    const spec = (/^\s*((?:static|inline|extern|__\w+)\s+)*/.exec(prefix)?.[0] ?? '').replace(/\s+/g, ' ');
    const params = convertedParams(own, h);
    const newHeader = spec + sigText(h.after.ret, text.slice(fn.nameStart, openParen).trim(), params);
    const names = new Map(params.map((p) => [p.type, p.name] as const));
    // the returns, in the new convention
    const returns: { start: number; end: number; expr: string; replacement?: string }[] = [];
    const re = /\breturn\b\s*([^;]*);/g;
    for (let m = re.exec(body); m; m = re.exec(body)) {
      const expr = m[1].trim();
      const exprStart = fn.bodyStart + m.index + m[0].indexOf(m[1]) - base;
      let replacement: string | undefined;
      // "if (!page) return page;" returns NULL
      const guardedNull =
        /^[a-z_]\w*$/.test(expr) &&
        new RegExp(`if\\s*\\(\\s*!\\s*${expr}\\s*\\)\\s*$`).test(body.slice(Math.max(0, m.index - 80), m.index));
      if (h.returnMap.has(expr)) replacement = h.returnMap.get(expr);
      else if (guardedNull && h.returnMap.has('NULL')) replacement = h.returnMap.get('NULL');
      else if (h.installer && /^[a-z_]\w*$/.test(expr) && !/^(ret|error|err|retval|rc)$/.test(expr)) {
        const args = h.installer.params.map((p) => (p.type === 'struct page *' ? expr : (names.get(p.type) ?? p.name)));
        replacement = `${h.installer.name}(${args.join(', ')})`;
      }
      returns.push({ start: exprStart, end: exprStart + m[1].trimEnd().length, expr, replacement });
    }
    const oldReturns = returns.filter((r) => r.replacement || /^(NULL|NOPAGE_\w+)$/.test(r.expr));
    for (const r of oldReturns) {
      out.push({
        kind: 'hook-return',
        api: h.api,
        function: fn.name,
        message: `'return ${r.expr}' follows the old ->${h.member} convention${r.replacement ? `; now: return ${r.replacement}` : ''}`,
        start: r.start,
        end: r.end,
      });
    }
    const fix = wholeConversion(text, fn, base, newHeader, oldReturns, h, params);
    if (fix.text !== undefined) {
      const removed = own.filter((p) => p.name && !params.some((q) => q.name === p.name)).map((p) => p.name);
      const why = fixProblem(parser, text.slice(fn.headerStart, fn.bodyEnd), fix.text, removed, fix.text.indexOf('{'));
      if (why) {
        fix.text = undefined;
        fix.why = why;
      }
    }
    out.push({
      kind: 'hook-implementation',
      api: h.api,
      function: fn.name,
      message: `${fn.name} implements ->${h.member} with the old signature; the patch makes it ${sigText(h.after.ret, '(*' + h.member + ')', h.after.params)}${fix.why ? ` (no quick fix: ${fix.why})` : ''}`,
      start,
      end: headerEnd,
      ...(fix.text !== undefined ? { edit: { start, end: fn.bodyEnd - base, newText: fix.text } } : {}),
    });
  }

  // calls whose argument count the patch changes, and release of pinned pages
  const callRe = /\b([A-Za-z_]\w*)\s*\(/g;
  const calls: { name: string; start: number; open: number; args: { text: string; start: number; end: number }[]; close: number }[] = [];
  for (let m = callRe.exec(body); m; m = callRe.exec(body)) {
    const name = m[1];
    if (!t.arity.has(name) && !(t.releaseName && /^(get_user_pages\w*|pin_user_pages\w*|put_page|page_cache_release)$/.test(name)))
      continue;
    const open = m.index + m[0].length - 1;
    const args = callArgs(body, open);
    if (!args) continue;
    calls.push({ name, start: m.index, open, args: args.args, close: args.close });
  }
  const gupArrays = new Set(fileArrays);
  for (const p of own) if (p.type === 'struct page **' && p.name) gupArrays.add(p.name);
  for (const c of calls) {
    const ar = t.arity.get(c.name);
    if (ar && c.args.length === ar.before.params.length && c.args.length !== ar.after.params.length) {
      // mechanical when every new parameter keeps an old one's name
      const idx = ar.after.params.map((p) => ar.before.params.findIndex((o) => o.name && o.name === p.name));
      const mechanical = idx.every((k) => k >= 0);
      const start = fn.bodyStart + c.start - base;
      const end = fn.bodyStart + c.close + 1 - base;
      const dropped = ar.before.params.filter((_p, k) => !idx.includes(k)).map((p) => p.name || p.type);
      out.push({
        kind: c.name.startsWith('get_user_pages') && dropped.includes('vmas') ? 'gup-vmas' : 'call-arity',
        api: c.name,
        function: fn.name,
        message: `${c.name}() is called with ${c.args.length} arguments; the patch makes it take ${ar.after.params.length}${dropped.length ? ` (drops ${dropped.join(', ')})` : ''}`,
        start,
        end,
        // the same call with a subset of its balanced arguments: cannot break the syntax
        ...(mechanical ? { edit: { start, end, newText: `${c.name}(${idx.map((k) => c.args[k].text).join(', ')})` } } : {}),
      });
    }
  }
  if (t.releaseName && gupArrays.size > 0 && !/^(get_user_pages|pin_user_pages)/.test(fn.name)) {
    for (const c of calls) {
      if (c.name !== 'put_page' && c.name !== 'page_cache_release') continue;
      const arg = c.args[0]?.text ?? '';
      const baseId = /^\(?\s*([A-Za-z_][\w.>-]*?)\s*(?:\[|$)/.exec(arg)?.[1];
      if (!baseId || !pinnedBy(gupArrays, baseId)) continue;
      const start = fn.bodyStart + c.start - base;
      const end = start + c.name.length;
      // the patch's own conversion of this pattern, with its argument count
      const before = body.slice(Math.max(0, c.start - 200), c.start);
      const dirty = new RegExp(
        `(?:if\\s*\\(((?:[^()]|\\([^()]*\\))+)\\)\\s*)?(?:set_page_dirty_lock|set_page_dirty|SetPageDirty)\\s*\\(\\s*${arg.replace(/[^\w]/g, '\\$&').replace(/\\ /g, '\\s*')}\\s*\\)\\s*;\\s*$`,
      ).exec(before);
      const callEnd = fn.bodyStart + c.close + 1 - base;
      const stmtEnd = body[c.close + 1] === ';' ? callEnd + 1 : callEnd;
      // an identifier for an identifier cannot break the syntax; the patch's patterns are checked
      let edit: { start: number; end: number; newText: string } = { start, end, newText: t.releaseName };
      let rename = true;
      let how = `${t.releaseName}()`;
      const fill = (p: string, d: string) => p.replace('$PAGE', arg).replace('$DIRTY', d);
      const withDirty = dirty ? t.replacements.find((r) => r.dirtied && (r.pattern.includes('$DIRTY') || !dirty[1])) : undefined;
      const plain = t.replacements.find((r) => !r.dirtied);
      if (dirty && withDirty) {
        const from = fn.bodyStart + c.start - before.length + dirty.index - base;
        const newText = fill(withDirty.pattern, dirty[1]?.trim() ?? 'true') + ';';
        edit = { start: from, end: stmtEnd, newText };
        rename = false;
        how = `${newText} as the patch does (${withDirty.args} arguments)`;
      } else if (!dirty && plain) {
        edit = { start, end: callEnd, newText: fill(plain.pattern, 'false') };
        rename = false;
        how = `${edit.newText} as the patch does`;
      }
      out.push({
        kind: 'gup-put-page',
        api: t.releaseName,
        function: fn.name,
        message: `${arg} came from get_user_pages(); release it with ${how}`,
        start,
        end,
        ...(rename ? { edit } : checkedEdit(text, fn, parser, edit)),
      });
    }
  }
  return out;
}

/** Was `id` filled by get_user_pages()? Fields match by member name: ctx->pinned and c->pinned are one array. */
function pinnedBy(arrays: Set<string>, id: string): boolean {
  if (arrays.has(id)) return true;
  const member = /(?:->|\.)([A-Za-z_]\w*)$/.exec(id)?.[1];
  if (!member) return false;
  for (const a of arrays) if (a.endsWith('->' + member) || a.endsWith('.' + member)) return true;
  return false;
}

/** The edit, when applying it to the function leaves it parsing as well as before; else nothing. */
function checkedEdit(
  text: string,
  fn: FnSpan,
  parser: CParser | undefined,
  edit: { start: number; end: number; newText: string },
): { edit?: { start: number; end: number; newText: string } } {
  const before = text.slice(fn.headerStart, fn.bodyEnd);
  const after = before.slice(0, edit.start) + edit.newText + before.slice(edit.end);
  return fixProblem(parser, before, after) ? {} : { edit };
}

/** get_user_pages(tsk, mm, start, nr, write, force, pages, vmas) and its later forms: index of pages. */
const PAGES_ARG: Record<number, number> = { 8: 6, 7: 5, 6: 4, 5: 3, 4: 3 };

/** Arrays (or single pages) a file fills with get_user_pages*()/pin_user_pages*(): "pages", "dma->pages", "page". */
function gupPageArrays(text: string): Set<string> {
  const out = new Set<string>();
  const re = /\b(?:get_user_pages\w*|pin_user_pages\w*)\s*\(/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const args = callArgs(text, m.index + m[0].length - 1);
    if (!args) continue;
    // the pages argument's place in each era's signature, by argument count
    const at = PAGES_ARG[args.args.length];
    args.args.forEach((a, k) => {
      const id = /^[&*]?\s*([A-Za-z_][\w.>-]*?)\s*$/.exec(a.text);
      if (id && (k === at || /(?:^|[_>.])pages?$|page_list$|plist$/.test(id[1])) && id[1] !== 'NULL') out.add(id[1]);
    });
  }
  return out;
}

function callArgs(s: string, open: number): { args: { text: string; start: number; end: number }[]; close: number } | undefined {
  const r = argSpans(s, open, open + 4000);
  if (!r) return undefined;
  const args = r.spans.map(([start, end]) => ({ text: stripComments(s.slice(start, end)), start, end }));
  return { args: args.length === 1 && args[0].text === '' ? [] : args, close: r.close };
}

function stripComments(t: string): string {
  return (t.indexOf('/') >= 0 ? t.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ') : t).replace(/\s+/g, ' ').trim();
}

function position(starts: Int32Array, offset: number): { line: number; column: number } {
  const line = lineAt(starts, offset);
  return { line: line + 1, column: offset - starts[line] };
}

/**
 * Find, in one C file, the implementations and callers of the APIs the analysed patch changes.
 * Pass the same cache between calls on successive versions of a file to rescan only changed functions.
 */
export function scanCSource(text: string, _file: string, analysis: Analysis, cache?: ScanCache, parserIn?: CParser): SourceFinding[] {
  const t = targetsOf(analysis);
  const parser = parserIn ?? parserOf(analysis);
  if (t.hooks.length === 0 && t.arity.size === 0 && !t.releaseName) return [];
  const { fns, nopageAssigned } = splitFunctions(text);
  const starts = lineStarts(text);
  const out: SourceFinding[] = [];
  const arrays = t.releaseName ? gupPageArrays(text) : new Set<string>();
  const arraysKey = [...arrays].sort().join(',');
  const assignedKey = [...nopageAssigned].map(([k, v]) => k + '=' + v).join(',');
  const seen = cache ? new Map<string, RelFinding[]>() : undefined;
  for (const fn of fns) {
    const fnText = text.slice(fn.headerStart, fn.bodyEnd);
    let rel: RelFinding[] | undefined;
    const key = assignedKey.length < 2000 ? fnText + '\0' + (nopageAssigned.get(fn.name) ?? '') + '\0' + arraysKey : undefined;
    if (cache && key) rel = cache.fns.get(key);
    if (!rel) {
      rel = t.words.test(fnText) ? scanFunction(text, fn, t, nopageAssigned, arrays, parser) : [];
      if (cache && key) seen!.set(key, rel);
    } else if (seen && key) seen.set(key, rel);
    for (const r of rel) {
      const a = position(starts, fn.headerStart + r.start);
      const b = position(starts, fn.headerStart + r.end);
      const f: SourceFinding = {
        kind: r.kind,
        api: r.api,
        function: r.function,
        message: r.message,
        line: a.line,
        column: a.column,
        endLine: b.line,
        endColumn: b.column,
        ...(r.thirdForm ? { thirdForm: true } : {}),
      };
      if (r.edit) {
        const ea = position(starts, fn.headerStart + r.edit.start);
        const eb = position(starts, fn.headerStart + r.edit.end);
        f.edit = { line: ea.line, column: ea.column, endLine: eb.line, endColumn: eb.column, newText: r.edit.newText };
      }
      out.push(f);
    }
  }
  if (cache && seen) cache.fns = seen;
  return out;
}
