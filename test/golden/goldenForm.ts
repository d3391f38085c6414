// The golden form of a JSON output: what varies from run to run or machine to machine is left out
// (times) or made relative (paths under the repository), everything else is kept as it is.

/** keys whose values are wall-clock times */
const VOLATILE_KEYS = new Set(['timeMs', 'firstViolationMs', 'elapsedMs', 'foundAfterMs']);

export function goldenForm(value: unknown, root: string): unknown {
  const prefix = root.endsWith('/') ? root : `${root}/`;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.split(prefix).join('');
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (!VOLATILE_KEYS.has(k)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return walk(value);
}

const LINE = 120;

const isLeaf = (v: unknown): boolean =>
  v === null || typeof v !== 'object' || (Array.isArray(v) ? v : Object.values(v)).every((x) => x === null || typeof x !== 'object' || (Array.isArray(x) && x.every((y) => y === null || typeof y !== 'object')));

/** JSON text with one line per record of plain values (a trace event, a pte) or small value, so that a
 * diff shows what changed and the files stay small; the rest is spread over lines, two spaces a level. */
export function goldenText(value: unknown): string {
  const write = (v: unknown, indent: string): string => {
    const flat = JSON.stringify(v);
    if (flat === undefined || flat.length + indent.length <= LINE || isLeaf(v)) return flat ?? 'null';
    const inner = indent + '  ';
    if (Array.isArray(v)) return `[\n${v.map((x) => inner + write(x, inner)).join(',\n')}\n${indent}]`;
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${write(x, inner)}`).join(',\n')}\n${indent}}`;
  };
  return write(value, '') + '\n';
}
