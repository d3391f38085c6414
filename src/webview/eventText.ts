// How a trace event reads in a cell: an icon per kind and a one-line text.
import type { TraceEvent, TraceKind } from '../engine/index';

const KIND_ICON: Record<TraceKind, string> = {
  enter: 'arrow-small-right',
  exit: 'arrow-small-left',
  lock: 'lock',
  unlock: 'unlock',
  sleep: 'watch',
  pte: 'table',
  ref: 'references',
  pin: 'pinned',
  fault: 'zap',
  signal: 'bell',
  violation: 'error',
  op: 'play',
  note: 'note',
};

export function kindIcon(k: TraceKind): string {
  return KIND_ICON[k] ?? 'circle-small';
}

export function eventLine(e: TraceEvent): string {
  return e.detail ? `${e.fn}: ${e.detail}` : e.fn;
}

export function eventTitle(e: TraceEvent, tasks: readonly string[]): string {
  const held = e.locks.length ? e.locks.join(', ') : 'no locks';
  return `step ${e.step} · ${tasks[e.task] ?? `task ${e.task}`} · ${e.kind} · ${eventLine(e)}\nheld after: ${held}`;
}

export function eventIcon(e: TraceEvent): string {
  return kindIcon(e.kind);
}
