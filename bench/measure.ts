// What the benchmarks measure with: figures and their baselines are taken the same way.

/** CPU time of this process (user + system, worker threads included), in ms: other processes sharing
 * the machine inflate wall-clock time much more than CPU time */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** the middle value (the upper one of an even count) */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
