// The HTML report of one scenario of a run-patch: the comparison report (comparisonHtml.ts) with the
// patch's part before it: the verdict, the per-hunk report, what each column ran interpreted and
// what stayed TypeScript, and what the run cannot see. Everything from the patch is escaped.
import { comparisonHtml, escapeHtml as e } from '../scenario/comparisonHtml';

import type { PatchRunReport, ScenarioRun } from './patchRun';

export function patchRunHtml(r: PatchRunReport, s: ScenarioRun): string {
  const hunks = r.versions
    .flatMap((v) =>
      v.files
        .filter((f) => f.status !== 'no-base')
        .flatMap((f) =>
          f.hunks.map((h) => {
            const how =
              h.status === 'applied'
                ? `applied at line ${h.at}: ${h.match}${h.fuzz ? `, fuzz ${h.fuzz}` : ''}${h.offset ? `, offset ${h.offset}` : ''}`
                : `FAILED: ${h.reason ?? ''}`;
            const mm = (h.mismatch ?? [])
              .map((m) => `<br>line ${m.line}: patch <code>${e(m.want)}</code> / tree <code>${e(m.got)}</code>`)
              .join('');
            return `<tr class="${h.status === 'applied' ? 'good' : 'bad'}"><td>${e(v.version)}</td><td>${e(f.path)} #${h.index}</td><td>${e(h.header)}</td><td>${e(h.functions.join(', '))}</td><td>${e(how)}${mm}</td></tr>`;
          }),
        ),
    )
    .join('');
  const cols = r.columns
    .map(
      (c) =>
        `<tr><td>${e(c.label)}</td><td>${e(c.era)}</td><td>${e(c.rules)}</td><td>${e(s.interpretedEntered[c.label]?.join(', ') ?? '')}</td><td>${e(s.typescript[c.label]?.join(', ') ?? '')}</td><td>${e(c.notInterpreted.map((n) => `${n.name}: ${n.why}`).join('; '))}</td></tr>`,
    )
    .join('');
  const u = r.unseen;
  const unseen = [
    ...(u.notEntered.length ? [`changed functions no scenario enters: ${u.notEntered.join(', ')}`] : []),
    ...u.notObservable.map((n) => n.note),
    ...u.outside.map((o) => `${o.version} ${o.file} #${o.hunk}: ${o.why}`),
  ];
  const part = `<h2>Patch ${e(r.patch)} on ${e(r.tree)}${r.reverse ? ' (reversed)' : ''}: ${e(s.verdict)}</h2>
<p class="muted">runs because ${e(s.why)}</p>
<h2>Hunks</h2><table><tr><th>version</th><th>hunk</th><th>header</th><th>functions</th><th>outcome</th></tr>${hunks}</table>
<h2>Columns</h2><table><tr><th>column</th><th>era</th><th>rules</th><th>ran interpreted</th><th>ran TypeScript</th><th>not interpreted</th></tr>${cols}</table>
<h2>What the run cannot see</h2>${unseen.length ? `<ul>${unseen.map((x) => `<li>${e(x)}</li>`).join('')}</ul>` : '<p>nothing</p>'}
`;
  const html = comparisonHtml(s.comparison);
  const at = html.indexOf('<h2>Invariants</h2>');
  return at < 0 ? html.replace('</body>', `${part}</body>`) : html.slice(0, at) + part + html.slice(at);
}
