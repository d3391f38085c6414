// The libraries the extension sits on, loaded on first use: activation imports none of them, so it
// costs nothing until a command, a patch or a scenario file needs the engine or the analyser.
export type ScenarioLibrary = typeof import('./scenarioLibrary');
export type PatchLibrary = typeof import('./patchLibrary');
export type RunPatchLibrary = typeof import('./runPatchLibrary');

let scenario: Promise<ScenarioLibrary> | undefined;
let patch: Promise<PatchLibrary> | undefined;
let runPatch: Promise<RunPatchLibrary> | undefined;

export function loadScenarioLibrary(): Promise<ScenarioLibrary> {
  return (scenario ??= import('./scenarioLibrary'));
}

export function loadPatchLibrary(): Promise<PatchLibrary> {
  return (patch ??= import('./patchLibrary'));
}

export function loadRunPatchLibrary(): Promise<RunPatchLibrary> {
  return (runPatch ??= import('./runPatchLibrary'));
}
