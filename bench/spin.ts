// SPIN as the explorer benchmark's anchor: runs bench/spin/truncate2.pml (the ladder's N = 2 world,
// written in Promela for this purpose) when `spin` and `gcc` are on PATH. Full state space (-c0: go on
// after a violation), SPIN's own partial-order reduction on; states are pan's stored states.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SpinResult {
  variant: string;
  states: number;
  transitions: number;
  ms: number;
  /** states stored per second of `rateFrom` */
  statesPerSec: number;
  /** pan's own elapsed time (0.01 s resolution) */
  panElapsedMs: number;
  rateFrom: 'pan elapsed' | 'wall, startup included';
  /** assertion violations found (the stale-pte check) */
  errors: number;
}

function has(cmd: string): boolean {
  return spawnSync(cmd, ['-V'], { encoding: 'utf8' }).status === 0 || spawnSync(cmd, ['--version'], { encoding: 'utf8' }).status === 0;
}

export function spinAvailable(): boolean {
  return has('spin') && has('gcc');
}

/** variant '2.5.70' or 'truncate-seq' (-DSEQ) */
export function runSpin(model: string, variant: string): SpinResult {
  const dir = mkdtempSync(join(tmpdir(), 'mmx-spin-'));
  try {
    copyFileSync(model, join(dir, 'model.pml'));
    const defs = variant === 'truncate-seq' ? ['-DSEQ'] : [];
    const gen = spawnSync('spin', [...defs, '-a', 'model.pml'], { cwd: dir, encoding: 'utf8' });
    if (gen.status !== 0) throw new Error(`spin -a: ${gen.stderr || gen.stdout}`);
    const cc = spawnSync('gcc', ['-O2', '-DSAFETY', '-o', 'pan', 'pan.c'], { cwd: dir, encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(`gcc pan.c: ${cc.stderr}`);
    const t0 = performance.now();
    const run = spawnSync('./pan', ['-m100000', '-c0'], { cwd: dir, encoding: 'utf8' });
    const ms = performance.now() - t0;
    const out = run.stdout;
    const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
    const states = num(/(\d+) states, stored/);
    // pan's elapsed time has a 0.01 s resolution: below 0.5 s its rate is mostly rounding (0.02 s
    // against 0.05 s is x2.5), so the wall time of the whole run, startup included, is used there
    const elapsed = num(/pan: elapsed time ([\d.e+-]+) seconds/);
    const panRate = elapsed >= 0.5;
    return {
      variant,
      states,
      transitions: num(/(\d+) transitions/),
      ms: +ms.toFixed(1),
      panElapsedMs: Number.isFinite(elapsed) ? elapsed * 1000 : NaN,
      statesPerSec: Math.round(panRate ? states / elapsed : states / (ms / 1000)),
      rateFrom: panRate ? 'pan elapsed' : 'wall, startup included',
      errors: num(/errors: (\d+)/),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
