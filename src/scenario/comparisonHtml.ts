// A self-contained HTML report of a comparison: no script, styles inline, every text escaped.
import type { Comparison, VariantRun } from './comparisonModel';
import { detailText, scopeSuffix } from './expectations';
import { hex, selectionText } from './format';

export function escapeHtml(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const e = escapeHtml;

function cell(s: unknown, cls = ''): string {
  return `<td${cls ? ` class="${e(cls)}"` : ''}>${e(s)}</td>`;
}

function ptes(r: VariantRun): string {
  const rows: string[] = [];
  for (const mm of r.snapshot.mms) {
    for (const p of mm.ptes) {
      const what =
        p.kind === 'present'
          ? `${p.huge ? `huge pte (${p.pages} pages) ` : ''}pfn ${p.pfn ?? '?'} ${p.prot ?? ''}${p.dirty ? ' dirty' : ''}${p.young ? ' young' : ''}`
          : p.kind === 'file'
            ? `file pte pgoff ${p.pgoff ?? '?'}${p.prot ? ' ' + p.prot : ''}`
            : `swap slot ${p.swapSlot ?? '?'}`;
      rows.push(`<tr>${cell(mm.name)}${cell(hex(p.addr))}${cell(p.kind)}${cell(what)}</tr>`);
    }
  }
  if (rows.length === 0) return '<p class="muted">no ptes</p>';
  return `<table><tr><th>mm</th><th>address</th><th>kind</th><th>entry</th></tr>${rows.join('')}</table>`;
}

export function comparisonHtml(c: Comparison): string {
  const runs = c.runs;
  const head = `<tr><th></th>${runs.map((r) => `<th>${e(r.label)}<div class="muted">${e(selectionText(r.variants as Record<string, string>))}</div></th>`).join('')}</tr>`;
  const inv = c.invariants
    .map(
      (row) =>
        `<tr><th>${e(row.invariant)}</th>${row.counts
          .map((n, i) => {
            const x = row.explored?.[i];
            const bad = n > 0 || x === 'violated';
            return cell(`${n > 0 ? `${n} in this run` : 'held in this run'}${x ? `; explored: ${x}` : ''}`, bad ? 'bad' : 'good');
          })
          .join('')}</tr>`,
    )
    .join('');
  const opKeys = new Map<string, { task: string; index: number; op: string }>();
  for (const r of runs) for (const x of r.results) opKeys.set(`${x.task}#${x.index}`, { task: x.task, index: x.index, op: x.op });
  const results = [...opKeys.entries()]
    .map(([k, o]) => {
      const cells = runs.map((r) => {
        const x = r.results.find((y) => `${y.task}#${y.index}` === k);
        return cell(x ? `${x.result}${x.signal ? ` (${x.signal})` : ''}` : '-', x?.signal ? 'bad' : '');
      });
      return `<tr><th>${e(`${o.task} #${o.index} ${o.op}`)}</th>${cells.join('')}</tr>`;
    })
    .join('');
  const lockKeys = new Set<string>();
  for (const r of runs)
    for (const [fn, ops] of Object.entries(r.lockOps)) for (const op of Object.keys(ops)) lockKeys.add(`${fn}\u0000${op}`);
  const locks = [...lockKeys]
    .sort()
    .map((k) => {
      const [fn, op] = k.split('\u0000');
      return `<tr><th>${e(fn)}</th><td>${e(op)}</td>${runs.map((r) => cell(r.lockOps[fn]?.[op] ?? 0)).join('')}</tr>`;
    })
    .join('');
  const expectations = runs
    .map(
      (r) =>
        `<h3>${e(r.label)}</h3>` +
        (r.expectations.length
          ? `<ul>${r.expectations.map((x) => `<li class="${x.met ? 'good' : x.undecided ? 'muted' : 'bad'}">${x.met ? 'met' : x.undecided ? 'UNDECIDED' : 'FAILED'}: <code>${e(x.text)}</code> <span class="muted">${e(scopeSuffix(x))}</span> ${e(detailText(x))}</li>`).join('')}</ul>`
          : '<p class="muted">no expectations</p>') +
        (r.exploration
          ? `<p class="muted">explored ${e(r.exploration.schedules)} schedules, ${e(r.exploration.states)} states, ${e(r.exploration.complete ? 'complete' : 'incomplete')}</p>`
          : ''),
    )
    .join('');
  const traces = runs
    .map((r) => {
      const rows = r.trace
        .map(
          (t) =>
            `<tr${t.kind === 'violation' ? ' class="bad"' : ''}>${cell(t.step)}${cell(c.tasks[t.task] ?? '-')}${cell(t.kind)}${cell(t.fn)}${cell(t.detail)}${cell(t.locks.join(', '))}</tr>`,
        )
        .join('');
      return `<details><summary>${e(r.label)}: ${e(r.trace.length)} events, schedule ${e(r.schedule.join(','))}</summary><table><tr><th>step</th><th>task</th><th>kind</th><th>function</th><th>detail</th><th>locks held</th></tr>${rows}</table></details>`;
    })
    .join('');
  const div = c.firstDivergence ? `<p>${e(c.firstDivergence.summary)}</p>` : '<p class="muted">the traces do not diverge</p>';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${e(c.title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top;font-family:ui-monospace,monospace;font-size:12px}
.good{background:#e8f5e9}.bad{background:#ffebee}.muted{color:#777}
body *{unicode-bidi:isolate}
</style></head><body>
<h1>${e(c.title)}</h1>
<p>${e(c.description)}</p>
<p class="muted">${e(c.scenario)}; tasks: ${e(c.tasks.join(', '))}</p>
${c.schedule ? `<p>schedule (${e(c.schedule.source)}): <code>${e(c.schedule.text)}</code></p>` : ''}
<h2>Invariants</h2><table>${head}${inv}</table>
<h2>First divergence</h2>${div}
<h2>Results</h2><table>${head}${results}</table>
<h2>Lock operations per kernel function</h2><table><tr><th>function</th><th>operation</th>${runs.map((r) => `<th>${e(r.label)}</th>`).join('')}</tr>${locks}</table>
<h2>Final page tables</h2>${runs.map((r) => `<h3>${e(r.label)}</h3>${ptes(r)}`).join('')}
<h2>Expectations</h2>${expectations}
<h2>Traces</h2>${traces}
</body></html>
`;
}
