import { VERSION } from '../version.js';
import { toErrorInfo } from '../util/errors.js';
import { COMMANDS } from './commands/index.js';
import { processIO, UsageError, type CliIO } from './io.js';

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `verilens ${VERSION}: offline forensic checks for identity evidence

Usage: verilens <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run 'verilens <command> --help' for a command's options.
`;
}

/** Run the CLI; returns the exit code. Never prints a stack trace for bad input. */
export async function run(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(help());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V') {
    io.out(`${VERSION}\n`);
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    io.err(`verilens: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${cmd.usage}\n`);
    return 0;
  }
  try {
    return await cmd.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`verilens ${cmd.name}: ${err.message}\n\n${cmd.usage}\n`);
      return 2;
    }
    const info = toErrorInfo(err);
    io.err(`verilens ${cmd.name}: ${info.message}\n`);
    if (io.env['VERILENS_DEBUG'] && err instanceof Error && err.stack) io.err(`${err.stack}\n`);
    return 1;
  }
}
