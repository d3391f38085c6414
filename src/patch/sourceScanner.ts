import type { Analysis, SourceFinding } from './analysisModel';
export function scanCSource(_text: string, _file: string, _analysis: Analysis): SourceFinding[] {
  return [];
}
