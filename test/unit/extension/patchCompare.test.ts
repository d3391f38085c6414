// The ranking behind the main action: which scenario compares a patch's variants best, with which
// columns, and how the action is titled.
import { readdirSync, readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { compactLabels, rankScenarios, type ScenarioInfo } from '../../../src/extension/patchCompare';
import { loadScenario } from '../../../src/scenario/runner';

const dir = new URL('../../../scenarios/', import.meta.url);
const library: ScenarioInfo[] = readdirSync(dir)
  .filter((f) => f.endsWith('.mmscenario.yaml'))
  .map((f) => ({ path: `/x/scenarios/${f}`, scenario: loadScenario(readFileSync(new URL(f, dir), 'utf8'), f).scenario! }));

const patch = (variants: string[], ...subjects: string[]) => ({ variants, patches: subjects.map((subject) => ({ subject })) }) as never;

describe('the comparison a patch offers', () => {
  it('seed 004: the DFS race, base first, then the two install_new_page forms', () => {
    const r = rankScenarios(
      patch(['install_new_page', 'install_new_page-hch'], '[RFC][PATCH] Convert do_no_page() to a hook to avoid DFS race'),
      library,
    );
    expect(r[0].name).toBe('dfs-race');
    expect(r[0].columns).toEqual(['2.5.70', 'install_new_page', 'install_new_page-hch']);
    expect(r[0].title).toBe('Compare 2.5.70 vs install_new_page vs -hch on dfs-race');
    // every scenario with those columns is offered, none without
    expect(r.map((x) => x.name).sort()).toEqual([
      'anon-fault',
      'cow-truncate',
      'dfs-race',
      'gup-fault-race',
      'truncate-race',
      'two-faulters',
    ]);
  });

  it('a subject about truncate puts the truncate race first', () => {
    const r = rankScenarios(patch(['truncate-seq'], '[PATCH] close the truncate vs. nopage race with a sequence count'), library);
    expect(r[0].name).toBe('truncate-race');
    expect(r[0].columns).toEqual(['2.5.70', 'truncate-seq']);
  });

  it('a put_user_page patch compares on the pinned-page scenarios only', () => {
    const r = rankScenarios(patch(['put_user_page'], 'mm: introduce put_user_page*(), placeholder versions'), library);
    expect(r.map((x) => x.name).sort()).toEqual(['dma-pin', 'pinned-release']);
    expect(r[0].columns).toEqual(['put_page', 'put_user_page']);
  });

  it('no variant, no comparison', () => {
    expect(rankScenarios(patch([], 'x'), library)).toEqual([]);
  });

  it('labels that extend the previous one show their tail', () => {
    expect(compactLabels(['2.5.70', 'install_new_page', 'install_new_page-hch'])).toEqual(['2.5.70', 'install_new_page', '-hch']);
    expect(compactLabels(['walk', 'walk-opt1', 'walk-opt2'])).toEqual(['walk', '-opt1', 'walk-opt2']);
  });
});
