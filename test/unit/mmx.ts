// `mmx ...argv` through main(), in process: the exit code and what it printed, a line each.
import { main } from '../../src/cli/cli';

export async function mmx(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    out: (s) => (out += s.endsWith('\n') ? s : s + '\n'),
    err: (s) => (err += s.endsWith('\n') ? s : s + '\n'),
  });
  return { code, out, err };
}
