// The mmx dispatcher: one file per command under commands/. main() returns the exit code: 0 all
// expectations met, 1 an expectation failed, 2 bad input (unknown command or option, a scenario with
// errors, a schedule that cannot run).
import { EngineRefusal } from '../scenario/runner';
import { runAnalyze } from './commands/analyze';
import { cmdCheck } from './commands/check';
import { cmdCompare } from './commands/compare';
import { cmdExplore } from './commands/explore';
import { cmdRun } from './commands/run';
import { cmdScenarios } from './commands/scenarios';
import { cmdValidate } from './commands/validate';
import { cmdVariants } from './commands/variants';
import { cmdVersion } from './commands/version';
import { stdio, type Io } from './io';
import { UsageError } from './options';

export type { Io } from './io';

export const USAGE = `usage: mmx <command> [options]

commands:
  run FILE        run one schedule (default order, --schedule S or --seed N) and print its trace
  explore FILE    explore all schedules up to the bounds; each violation with a minimal counterexample
  compare FILE    the scenario under each variant column, side by side (--html FILE for a report)
  check [PATH..]  check every scenario (default: the bundled library) against its expect blocks
  validate FILE.. check scenario files against the schema
  analyze PATCH   analyse a kernel patch (API deltas, lock contracts of hooks)
  variants        list the engine's variants
  scenarios       list the bundled scenarios
  version         print the version

common options:
  --variant L     a column label of the scenario, or a selection such as fault=install_new_page
                  (repeatable; default: every column)
  --json          machine-readable output (see README, section CLI)
run:      --schedule S (e.g. 0,0,1 or fault*3,dfs*2) --seed N --trace/--no-trace --steps N
explore:  --steps N --preemptions K --random N --seed S --first --no-reduction --no-shrink --time-limit MS
compare:  --schedule S --no-explore --steps N --preemptions K --html FILE`;

const COMMANDS: Record<string, (io: Io, args: string[]) => number | Promise<number>> = {
  version: cmdVersion,
  run: cmdRun,
  explore: cmdExplore,
  compare: cmdCompare,
  check: cmdCheck,
  validate: cmdValidate,
  variants: cmdVariants,
  scenarios: cmdScenarios,
  analyze: (io, args) => runAnalyze(args, io),
};

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd !== 'analyze' && (rest.includes('--help') || rest.includes('-h'))) {
      io.out(USAGE);
      return 0;
    }
    if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
      io.out(USAGE);
      return 0;
    }
    const run = Object.prototype.hasOwnProperty.call(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
    if (!run) throw new UsageError(`mmx: unknown command '${cmd}'\n${USAGE}`);
    return await run(io, rest);
  } catch (e) {
    if (e instanceof UsageError || e instanceof EngineRefusal) {
      io.err(e.message);
      return 2;
    }
    throw e;
  }
}
