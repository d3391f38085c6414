// The editor-independent half of the C-file annotations: scan a file against an analysed patch with
// a per-document cache (only functions whose text changed are rescanned), keep the kinds the settings
// allow, and describe each finding as a diagnostic. No vscode import: bench/annotate.ts runs it in Node.
import type { Analysis, SourceFinding } from '../patch/analysisModel';
import type { ScanCache } from '../patch/sourceScanner';

export type FindingKind = SourceFinding['kind'];

/** the setting that governs each kind of finding */
export const KIND_SETTING: Record<FindingKind, 'cImplementations' | 'cCallers' | 'cPinnedReleases'> = {
  'hook-implementation': 'cImplementations',
  'hook-return': 'cImplementations',
  'call-arity': 'cCallers',
  'gup-vmas': 'cCallers',
  'gup-put-page': 'cPinnedReleases',
};

export type KindSettings = Record<'cImplementations' | 'cCallers' | 'cPinnedReleases', boolean>;

export type Scanner = (text: string, file: string, analysis: Analysis, cache: ScanCache) => SourceFinding[];

export interface PlainDiagnostic {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  severity: 'warning' | 'information';
  code: FindingKind;
}

/** One document's scan state: the analysis it was scanned against and the per-function cache. */
export class DocumentScan {
  private analysis: Analysis | undefined;
  private cache: ScanCache = { fns: new Map() };

  constructor(private readonly scan: Scanner) {}

  run(
    text: string,
    file: string,
    analysis: Analysis,
    settings: KindSettings,
  ): { findings: SourceFinding[]; diagnostics: PlainDiagnostic[] } {
    if (analysis !== this.analysis) {
      // another patch: nothing cached applies
      this.analysis = analysis;
      this.cache = { fns: new Map() };
    }
    const findings = this.scan(text, file, analysis, this.cache).filter((f) => settings[KIND_SETTING[f.kind]] !== false);
    const diagnostics = findings.map((f): PlainDiagnostic => ({
      line: f.line,
      column: f.column,
      endLine: f.endLine,
      endColumn: f.endColumn,
      message: f.message,
      severity: f.kind === 'gup-put-page' || f.kind === 'hook-return' || f.kind === 'hook-implementation' ? 'warning' : 'information',
      code: f.kind,
    }));
    return { findings, diagnostics };
  }
}
