// Located diagnostics of the kernel C interpreter: every construct outside the supported subset and
// every name the era's bindings do not define is reported with file:line:column, never skipped.

export type DiagnosticKind = 'unsupported' | 'unbound' | 'type' | 'parse' | 'missing';

export interface KcDiagnostic {
  kind: DiagnosticKind;
  file: string;
  line: number;
  column: number;
  /** the construct or name, e.g. "sizeof_expression", "lock_page_killable", "page.lru" */
  construct: string;
  message: string;
  /** the function being compiled */
  fn?: string;
}

export function formatDiagnostic(d: KcDiagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.kind === 'unbound' ? 'unbound name' : d.kind === 'unsupported' ? 'unsupported construct' : d.kind}: ${d.message}`;
}

/** compiling failed: the diagnostics say where and why */
export class KernelCError extends Error {
  constructor(readonly diagnostics: readonly KcDiagnostic[]) {
    super(
      diagnostics.length === 1
        ? formatDiagnostic(diagnostics[0])
        : `${diagnostics.length} problems:\n${diagnostics.map(formatDiagnostic).join('\n')}`,
    );
  }
}
