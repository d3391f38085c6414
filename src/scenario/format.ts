// Plain-text spellings shared by the CLI and the HTML report.

export function hex(n: number): string {
  return '0x' + n.toString(16);
}

/** a variant selection as `{fault: 2.5.70, gup: walk}` */
export function selectionText(sel: Record<string, string | undefined>): string {
  const parts = Object.entries(sel)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${v}`);
  return `{${parts.join(', ')}}`;
}
