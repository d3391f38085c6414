// The mmx dispatcher: one file per command under commands/. main() returns the exit code: 0 all
// expectations met, 1 an expectation failed, 2 bad input (unknown command or option, a scenario with
// errors, a schedule that cannot run), 3 an expectation undecided because a search stopped early
// (exitCodes.ts). Everything printed goes through terminalOut: control characters from a scenario
// or a patch are shown escaped; stdout of --json stays exact.
import { EngineRefusal } from '../scenario/runner';

import { runAnalyze } from './commands/analyze';
import { cmdCheck } from './commands/check';
import { cmdCompare } from './commands/compare';
import { cmdExplore } from './commands/explore';
import { runKernelc } from './commands/kernelc';
import { cmdRun } from './commands/run';
import { cmdRunPatch } from './commands/runPatch';
import { cmdScenarios } from './commands/scenarios';
import { cmdValidate } from './commands/validate';
import { cmdVariants } from './commands/variants';
import { cmdVersion } from './commands/version';
import { stdio, type Io } from './io';
import { cliInputLimit, UsageError } from './options';
import { terminalOut } from './terminal';

export type { Io } from './io';

export const USAGE = `usage: mmx <command> [options]

commands:
  run FILE        run one schedule (default order, --schedule S or --seed N) and print its trace
  explore FILE    explore all schedules up to the bounds; each violation with a minimal counterexample
  compare FILE    the scenario under each variant column, side by side (--html FILE for a report)
  check [PATH..]  check every scenario (default: the bundled library) against its expect blocks
  validate FILE.. check scenario files against the schema
  analyze PATCH   analyse a kernel patch (API deltas, lock contracts of hooks)
  kernelc names FILE.c [FN..] | compare SCENARIO --tree DIR   kernel C on the engine (mmx kernelc --help)
  run-patch PATCH [SCENARIO..]  --tree DIR [--reverse]: base and patched columns from the patch's own C
  variants        list the engine's variants
  scenarios       list the bundled scenarios
  version         print the version

common options:
  --variant L     a column label of the scenario, or a selection such as fault=install_new_page
                  (repeatable; default: every column)
  --json          machine-readable output (see README, section CLI)
run:      --schedule S (e.g. 0,0,1 or fault*3,dfs*2) --seed N --trace/--no-trace --steps N
searching (run, explore, compare, check):
          --time-limit MS  the searches stop after MS ms in all (default 60000; check: per
                           scenario); an expectation they cannot decide then exits 3
          --progress P     auto (a live count on a terminal, else a line on stderr every 5 s),
                           lines, live or none
explore:  --steps N --preemptions K --random N --seed S --first --reduction dpor|state|none [--no-sleep-sets] --no-reduction --jobs N --no-shrink --no-state-cache
compare:  --schedule S --no-explore --steps N --preemptions K --html FILE
run-patch: --tree DIR --tree-version V --reverse --base-from-preimage --era E --fuzz N --schedule S --sources --no-explore --steps N --preemptions K --time-limit MS --html FILE

exit codes: 0 every expectation met, 1 an expectation failed, 2 bad input,
            3 an expectation undecided (a search stopped at the time limit)
input limits: a scenario 2 MB (MMX_MAX_SCENARIO_MB), a patch 256 MB (MMX_MAX_PATCH_MB);
              regular files only`;

const COMMANDS: Record<string, (io: Io, args: string[]) => number | Promise<number>> = {
  version: cmdVersion,
  run: cmdRun,
  explore: cmdExplore,
  compare: cmdCompare,
  check: cmdCheck,
  validate: cmdValidate,
  variants: cmdVariants,
  scenarios: cmdScenarios,
  analyze: (io, args) => runAnalyze(args, io, cliInputLimit('patch')),
  kernelc: (io, args) => runKernelc(args, io),
  'run-patch': cmdRunPatch,
};

export async function main(argv: string[], rawIo: Io = stdio): Promise<number> {
  const [cmd, ...rest] = argv;
  const io: Io = { ...terminalOut(rawIo, rest.includes('--json')), tty: rawIo.tty };
  try {
    if (cmd !== 'analyze' && cmd !== 'kernelc' && (rest.includes('--help') || rest.includes('-h'))) {
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
