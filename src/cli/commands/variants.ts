// mmx variants: the engine's variant catalogue.
import { listVariants } from '../../engine/index';
import { table } from '../format';
import type { Io } from '../io';
import { parse, UsageError } from '../options';

export function cmdVariants(io: Io, args: string[]): number {
  const { values, positionals } = parse('variants', args, {});
  if (positionals.length) throw new UsageError(`mmx variants: unexpected argument '${positionals[0]}'`);
  const vs = listVariants();
  if (values.json) io.out(JSON.stringify(vs));
  else {
    io.out(
      table(
        ['family', 'variant', 'seed', 'base', 'description'],
        vs.map((v) => [v.family, v.name, v.seed, v.base ? 'base' : '', v.description]),
      ),
    );
    // which era (and source file) each kernel function follows under each variant
    const rows: string[][] = [];
    for (const v of vs) for (const [fn, era] of Object.entries(v.eras)) rows.push([`${v.family}/${v.name}`, fn, era]);
    if (rows.length) {
      io.out('');
      io.out(table(['variant', 'kernel function', 'era and source'], rows));
    }
  }
  return 0;
}
