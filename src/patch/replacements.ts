// The patch's own way of converting callers: where a hunk replaces "set_page_dirty_lock(p); put_page(p);"
// (or "put_page(p)") by a call of the new release API, the replacement is kept as a pattern with the
// patch's argument count ("put_user_pages_dirty_lock(&$PAGE, 1, $DIRTY)"), so C-file fixes suggest what
// the patch itself does rather than a generic rename.
import type { Analysis } from './analysisModel';
import { ADDED, REMOVED, type FileDiff } from './diffReader';
import { argSpans } from './parens';

export type CallerReplacement = NonNullable<Analysis['callerReplacements']>[number];

const RELEASE_API = /\b((?:put|unpin)_user_pages?(?:_dirty(?:_lock)?)?)\s*\(/g;
const PUT_PAGE = /\b(?:put_page|page_cache_release)\s*\(/g;
const DIRTY = /\b(?:set_page_dirty_lock|set_page_dirty|SetPageDirty)\s*\(/;

function squash(t: string): string {
  return t.replace(/\s+/g, '');
}

function callArgs(text: string, open: number): string[] | undefined {
  const r = argSpans(text, open, Math.min(text.length, open + 400));
  return r ? r.spans.map(([a, b]) => text.slice(a, b).trim()) : undefined;
}

/** Replacement patterns from every run of changed lines that trades put_page() for the release API. */
export function callerReplacements(files: FileDiff[], version: string | undefined): CallerReplacement[] {
  const out: CallerReplacement[] = [];
  for (const f of files) {
    for (const h of f.hunks) {
      let k = 0;
      while (k < h.lines.length) {
        if (h.lines[k].kind !== ADDED && h.lines[k].kind !== REMOVED) { k++; continue; }
        const run: typeof h.lines = [];
        while (k < h.lines.length && (h.lines[k].kind === ADDED || h.lines[k].kind === REMOVED || (run.length && h.lines[k].text.trim() === '' && h.lines[k + 1] && h.lines[k + 1].kind !== h.lines[k].kind))) run.push(h.lines[k++]);
        // most runs release nothing: look before joining
        if (!run.some((l) => l.kind === REMOVED && (l.text.indexOf('put_page') >= 0 || l.text.indexOf('page_cache_release') >= 0))) continue;
        const removed = run.filter((l) => l.kind === REMOVED).map((l) => l.text).join('\n');
        const added = run.filter((l) => l.kind === ADDED).map((l) => l.text).join('\n');
        const pages = new Set<string>();
        for (const m of removed.matchAll(PUT_PAGE)) {
          const a = callArgs(removed, m.index! + m[0].length - 1);
          if (a?.length === 1) pages.add(squash(a[0]));
        }
        if (pages.size === 0) continue;
        const dirtied = DIRTY.test(removed);
        for (const m of added.matchAll(RELEASE_API)) {
          const open = m.index! + m[0].length - 1;
          const args = callArgs(added, open);
          if (!args) continue;
          const pageArg = args.findIndex((x) => pages.has(squash(x).replace(/^&/, '')));
          if (pageArg < 0) continue;
          const pattern = `${m[1]}(${args.map((x, i) => (i === pageArg ? (x.trim().startsWith('&') ? '&$PAGE' : '$PAGE') : /^\d+$/.test(x) ? x : dirtied && /^[A-Za-z_]\w*$|[&|]/.test(x) ? '$DIRTY' : x)).join(', ')})`;
          if (out.some((r) => r.pattern === pattern)) continue;
          const at = run.find((l) => l.kind === ADDED && l.text.includes(m[1]))!;
          out.push({ api: m[1], pattern, args: args.length, dirtied, file: f.path, line: at.src, ...(version ? { version } : {}) });
        }
      }
    }
  }
  return out;
}
