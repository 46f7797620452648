import { parseArgs, type ParseArgsConfig } from 'node:util';
import { VerilensError } from '../util/errors.js';

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal (progress bars only then). */
  errIsTTY: boolean;
  env: Readonly<Record<string, string | undefined>>;
}

let pipeClosed = false;

/**
 * `verilens ... | head` closes the pipe early: stop writing and exit quietly instead of dying on
 * an unhandled EPIPE.
 */
function guardPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    pipeClosed = true;
    process.exit(process.exitCode ?? 0);
  });
}

export function processIO(): CliIO {
  guardPipe(process.stdout);
  guardPipe(process.stderr);
  return {
    out: (t) => void (pipeClosed || process.stdout.write(t)),
    err: (t) => void (pipeClosed || process.stderr.write(t)),
    errIsTTY: Boolean(process.stderr.isTTY),
    env: process.env,
  };
}

/** Thrown for bad command lines: exit code 2, message plus usage. */
export class UsageError extends VerilensError {
  constructor(message: string) {
    super('usage', message);
    this.name = 'UsageError';
  }
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[], io: CliIO): Promise<number>;
}

/** Parse a positive integer option or throw a UsageError naming the option. */
export function intOption(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw.trim())) throw new UsageError(`--${name} must be a whole number, got '${raw}'`);
  const n = Number(raw);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

type CliOptions = NonNullable<ParseArgsConfig['options']>;

/** Parse a command line strictly; any parse error becomes a UsageError (exit code 2). */
export function parseCommandLine<O extends CliOptions>(argv: string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, allowPositionals, strict: true, options });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
