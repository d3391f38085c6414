// The main action on a patch: compare the variants the analyser recognised in it, on the scenario that
// teaches them best. One ranking serves the top-of-patch CodeLens, the editor-title button, the
// palette command and the button on the Analyze notification.
import * as path from 'node:path';

import type { Analysis } from '../patch/analysisModel';
import type { Scenario } from '../scenario/scenario';

export interface ScenarioInfo {
  path: string;
  scenario: Scenario;
}

export interface PatchComparison {
  scenarioPath: string;
  /** the scenario's file name without the suffix, e.g. dfs-race */
  name: string;
  /** the columns compared, base first, at most 4 */
  columns: string[];
  /** "Compare 2.5.70 vs install_new_page vs -hch on dfs-race" */
  title: string;
  score: number;
}

/** Labels as a reader scans them: a label that extends the previous one shows only its tail ("-hch"). */
export function compactLabels(labels: readonly string[]): string[] {
  return labels.map((l, i) => {
    const prev = labels[i - 1];
    return prev && l.startsWith(prev) && l.length > prev.length ? l.slice(prev.length) : l;
  });
}

const STOP = new Set([
  'patch',
  'with',
  'from',
  'under',
  'each',
  'into',
  'while',
  'when',
  'that',
  'this',
  'mmscenario',
  'yaml',
  'avoid',
  'convert',
]);

function words(text: string): string[] {
  return [
    ...new Set(
      text
        .toLowerCase()
        .split(/[^a-z0-9_]+/)
        .filter((w) => w.length >= 3 && !STOP.has(w)),
    ),
  ];
}

/**
 * The scenarios that can compare a patch's variants, best first. A scenario scores by how many of the
 * recognised variants it has columns for; among equals, the one whose title shares the words of the
 * patch's subjects (what the patch says it fixes: "DFS race") teaches it best, then the one with fewer
 * columns the patch does not speak of.
 */
export function rankScenarios(
  a: Pick<Analysis, 'variants' | 'patches'>,
  scenarios: readonly ScenarioInfo[],
  suffix = '.mmscenario.yaml',
): PatchComparison[] {
  const wanted = new Set(a.variants);
  // what the patch says it is about, from its subjects ("... to avoid DFS race")
  const topic = new Set(a.patches.flatMap((p) => words(p.subject)));
  const out: PatchComparison[] = [];
  for (const { path: file, scenario: s } of scenarios) {
    const hits = s.columns.filter((c) => Object.values(c.selection).some((v) => wanted.has(v as string)));
    if (!hits.length) continue;
    const covered = new Set(hits.flatMap((c) => Object.values(c.selection) as string[]).filter((v) => wanted.has(v)));
    // the base column: the first column that is not one of the patch's variants
    const base = s.columns.find((c) => !hits.includes(c));
    const columns = [...(base ? [base.label] : []), ...hits.map((c) => c.label)].slice(0, 4);
    const teaching = words(`${s.title} ${path.basename(file)}`);
    const shared = teaching.filter((w) => topic.has(w)).length;
    const extraneous = s.columns.length - hits.length - (base ? 1 : 0);
    const score = covered.size * 100 + shared * 10 - extraneous;
    const name = path.basename(file).replace(suffix, '');
    out.push({ scenarioPath: file, name, columns, score, title: `Compare ${compactLabels(columns).join(' vs ')} on ${name}` });
  }
  return out.sort((x, y) => y.score - x.score || x.name.localeCompare(y.name));
}
