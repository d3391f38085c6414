export interface Violation {
  file: string;
  line: number;
  col: number;
  message: string;
}
export const CHECKED: string[];
export function blankCommentsAndStrings(src: string): string;
export function checkSource(file: string, src: string): Violation[];
export function lintRepository(root: string): { files: number; violations: Violation[] };
