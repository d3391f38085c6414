// Worker thread of the page-table view (dist/replayWorker.js): replays a schedule up to the selected
// step and sends back the machine's snapshot, so a long replay never runs on the extension host's
// thread. A run-patch column's interpreted variant is compiled here from the report's C first (kept
// for later replays of the same column). No vscode import.
import { parentPort } from 'node:worker_threads';

import type { MachineSnapshot, VariantSelection } from '../engine/index';
import { rebuildColumnVariant, type ColumnVariantSpec } from '../kernelc/index';
import { loadCParser } from '../patch/cParser';
import { runSchedule } from '../scenario/explorer';
import { machineFactory } from '../scenario/runner';
import type { Scenario } from '../scenario/scenario';

/** host -> worker: replay `schedule` for `step` steps under `selection` */
export interface ReplayRequest {
  id: number;
  scenario: Scenario;
  selection: VariantSelection;
  schedule: number[];
  step: number;
  /** a run-patch column: its interpreted variant, compiled before the replay */
  column?: ColumnVariantSpec;
}

/** worker -> host */
export type ReplayResponse = { id: number; type: 'replayed'; snapshot: MachineSnapshot } | { id: number; type: 'failed'; message: string };

/** The replay itself (exported for tests that run it on their own thread). */
export async function replay(r: ReplayRequest): Promise<MachineSnapshot> {
  if (r.column) rebuildColumnVariant(await loadCParser(), r.column);
  // trace steps count from 1: step N's events are in the trace once N schedule entries ran (step 0: none)
  const run = runSchedule(machineFactory(r.scenario, r.selection, false), {
    schedule: r.schedule.slice(0, r.step),
    lenient: true,
    maxSteps: r.step,
  });
  return run.machine.snapshot();
}

const port = parentPort;
if (port) {
  port.on('message', (m: ReplayRequest) => {
    replay(m).then(
      (snapshot) => port.postMessage({ id: m.id, type: 'replayed', snapshot } satisfies ReplayResponse),
      (e: unknown) =>
        port.postMessage({ id: m.id, type: 'failed', message: e instanceof Error ? e.message : String(e) } satisfies ReplayResponse),
    );
  });
}
