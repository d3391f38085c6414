// The libraries the extension sits on, loaded on first use: activation imports none of them, so it
// costs nothing until a command, a patch or a scenario file needs the engine or the analyser.
export type ScenarioLibrary = typeof import('./scenarioLibrary');
export type PatchLibrary = typeof import('./patchLibrary');

let scenario: Promise<ScenarioLibrary> | undefined;
let patch: Promise<PatchLibrary> | undefined;

export function loadScenarioLibrary(): Promise<ScenarioLibrary> {
  return (scenario ??= import('./scenarioLibrary'));
}

export function loadPatchLibrary(): Promise<PatchLibrary> {
  return (patch ??= import('./patchLibrary'));
}
