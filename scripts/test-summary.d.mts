export interface Counts {
  passed: number;
  failed: number;
  pending: number;
}
export function vitestCounts(report: unknown): Counts | undefined;
export function runnerCounts(report: unknown): Counts | undefined;
export function stepCounts(counts: Counts | undefined, exitCode: number): Counts;
export function totalLine(steps: Counts[]): string;
