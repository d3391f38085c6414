// mmx version
import pkg from '../../../package.json';
import type { Io } from '../io';
import { UsageError } from '../options';

export function cmdVersion(io: Io, args: string[]): number {
  if (args.length > 0) throw new UsageError(`mmx version: unexpected argument '${args[0]}'`);
  io.out(`mmx ${pkg.version}`);
  return 0;
}
