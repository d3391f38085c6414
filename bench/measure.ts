// CPU time of this process (user + system, worker threads included), in ms: other processes sharing
// the machine inflate wall-clock time much more than CPU time, so figures and their baselines use it.
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
