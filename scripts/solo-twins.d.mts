export const ENGINE_FILE: RegExp;
export function twinExports(file: string): Set<string>;
export function soloTransform(source: string, file: string, exportsOf?: (file: string) => Set<string>): { code: string; twins: string[]; deps: string[] };
export function soloTwinsEsbuild(): { name: string; setup(build: unknown): void };
export function soloTwinsVite(): { name: string; enforce: 'pre'; transform(this: { addWatchFile(file: string): void }, code: string, id: string): { code: string; map: null } | null };
