// One exploration model for the CLI and the panel: what `mmx explore --json` prints is what the
// webview's validator accepts, and the panel's replay ends in the violation it draws.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/cli';
import { explorationModel } from '../../../src/scenario/exploration';
import type { Exploration } from '../../../src/scenario/explorationModel';
import { explore } from '../../../src/scenario/explorer';
import { exploreOptions, loadScenario, machineFactory } from '../../../src/scenario/runner';
import { validateExploration, validateHostMessage } from '../../../src/webview/protocol';

const file = join(__dirname, '../../../scenarios/dfs-race.mmscenario.yaml');
const dfs = loadScenario(readFileSync(file, 'utf8'), file).scenario!;
const col = dfs.columns.find((c) => c.label === '2.5.70')!;

describe('the Exploration model', () => {
  const x = explore(machineFactory(dfs, col.selection), exploreOptions(dfs, { stopAtFirst: true, only: ['stale-pte'] }));

  it('carries the search, each counterexample and the expectations; the panel accepts it', () => {
    const m = explorationModel(dfs, col, x, { replay: true });
    expect(m).toMatchObject({ scenario: file, variant: '2.5.70', tasks: ['fault', 'remote'], ok: true });
    const v = m.violations.find((y) => y.invariant === 'stale-pte')!;
    expect(v.scheduleText).toMatch(/^fault\*\d+,remote/);
    // the replayed trace starts with the minimal schedule and shows the violation
    expect(v.replay!.schedule.slice(0, v.schedule.length)).toEqual(v.schedule);
    expect(v.replay!.trace.some((e) => e.kind === 'violation' && e.detail.includes('stale-pte'))).toBe(true);
    expect(validateExploration(m)).toBeNull();
    expect(validateHostMessage({ type: 'showExploration', exploration: m }).ok).toBe(true);
    expect(validateExploration({ ...m, violations: [{ ...v, task: 3 }] })).toBe('exploration.violations[0].task: expected a string');
  });

  it('mmx explore --json prints the same model, without the replay', async () => {
    let out = '';
    const code = await main(['explore', file, '--variant', '2.5.70', '--first', '--json'], { out: (s) => (out += s), err: () => {} });
    expect(code).toBe(0);
    const printed = JSON.parse(out) as Exploration;
    const m = explorationModel(dfs, col, x);
    expect(Object.keys(printed)).toEqual(Object.keys(m));
    expect(printed.violations[0].replay).toBeUndefined();
    expect(validateExploration(printed)).toBeNull();
  });
});
