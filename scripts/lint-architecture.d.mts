export interface Violation {
  file: string;
  line: number;
  col: number;
  message: string;
}
export interface Import {
  name: string;
  offset: number;
  typeOnly: boolean;
}
export const CHECKED: string[];
export const FOLDER_EDGES: Record<string, string[]>;
export const TYPE_EDGES: Record<string, string[]>;
export const ENGINE_INSIDERS: string[];
export const ENGINE_EDGES: Record<string, string[]>;
export const KNOWN_EXCEPTIONS: Record<string, string>;
export function blankCommentsAndStrings(src: string, keepStrings?: boolean): string;
export function importsOf(src: string): Import[];
export function edgeViolation(from: string, to: string, typeOnly: boolean): string | null;
export function checkSource(file: string, src: string): Violation[];
export function findCycles(files: { file: string; src: string }[]): Violation[];
export function lintRepository(root: string): { files: number; violations: Violation[] };
