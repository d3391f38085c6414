// mmx: the command-line face of the MM engine, patch analyser and scenario explorer.
import pkg from '../../package.json';

const USAGE = `usage: mmx <command>

commands:
  version     print the engine version
  help        print this help`;

export function main(argv: string[]): number {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'version':
      if (rest.length > 0) {
        process.stderr.write(`mmx version: unexpected argument '${rest[0]}'\n`);
        return 2;
      }
      process.stdout.write(`mmx ${pkg.version}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE + '\n');
      return 0;
    default:
      process.stderr.write(`mmx: unknown command '${cmd}'\n${USAGE}\n`);
      return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
