// Schedules: one task index per scheduler step. A schedule given by a user is a prefix; after it the
// default policy runs (keep the current task while it can run, else the lowest-numbered runnable task).

import { MAX_RUN_STEPS } from './limits';

export class ScheduleError extends Error {
  constructor(
    message: string,
    readonly step: number,
  ) {
    super(message);
  }
}

/** Parse "0,0,1,1" or "fault,fault,inval" or run-length "fault*2,inval*3" into task indices. */
export function parseSchedule(text: string, taskNames: readonly string[]): number[] {
  const out: number[] = [];
  const trimmed = text.trim();
  if (trimmed === '') return out;
  for (const raw of trimmed.split(/[,\s]+/)) {
    if (raw === '') continue;
    const m = /^([^*]+)(?:\*(\d+))?$/.exec(raw);
    if (!m) throw new ScheduleError(`bad schedule entry '${raw}' (expected a task index or name, optionally *count)`, out.length);
    const [, who, count] = m;
    let t: number;
    if (/^\d+$/.test(who)) t = Number(who);
    else t = taskNames.indexOf(who);
    if (t < 0 || t >= taskNames.length)
      throw new ScheduleError(`schedule entry '${who}' is not a task; tasks: ${taskNames.map((n, i) => `${i}=${n}`).join(', ')}`, out.length);
    const n = count === undefined ? 1 : Number(count);
    // counted before anything is allocated: N can be any number of digits
    if (out.length + n > MAX_RUN_STEPS)
      throw new ScheduleError(`schedule entry '${raw}' makes the schedule longer than ${MAX_RUN_STEPS} steps, the longest run the scheduler takes`, out.length);
    for (let i = 0; i < n; i++) out.push(t);
  }
  return out;
}

/** The replayable text form of a schedule: task indices, runs compressed ("0*21,1"), as parseSchedule reads it. */
export function formatSchedule(schedule: readonly number[]): string {
  return describeSchedule(schedule, []);
}

/** A compact, readable form: "fault*5,dfs*3,fault*2". */
export function describeSchedule(schedule: readonly number[], taskNames: readonly string[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < schedule.length) {
    let j = i;
    while (j < schedule.length && schedule[j] === schedule[i]) j++;
    const name = taskNames[schedule[i]] ?? String(schedule[i]);
    parts.push(j - i > 1 ? `${name}*${j - i}` : name);
    i = j;
  }
  return parts.join(',');
}

/** The default policy: keep running `last` while it can run, else the lowest-numbered runnable task. */
export function defaultChoice(runnable: readonly number[], last: number): number {
  let min = runnable[0];
  for (const t of runnable) {
    if (t === last) return t;
    if (t < min) min = t;
  }
  return min;
}

/** Deterministic PRNG (mulberry32): the same seed gives the same schedule on every platform. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
