import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { VerilensError } from '../util/errors.js';
import type { CliIO } from './io.js';

/**
 * The passphrase that unlocks the analyst key: `--passphrase-file`, else VERILENS_PASSPHRASE,
 * else a prompt when stdin is a terminal. Never taken from the command line itself.
 */
export async function readPassphrase(io: CliIO, file: string | undefined): Promise<string> {
  if (file) {
    const text = await readFile(file, 'utf8').catch((e: Error) => {
      throw new VerilensError('unreadable', `${file}: cannot read passphrase file (${e.message})`);
    });
    return text.replace(/\r?\n$/, '');
  }
  const env = io.env['VERILENS_PASSPHRASE'];
  if (env) return env;
  if (!process.stdin.isTTY) {
    throw new VerilensError('no-passphrase', 'the analyst key needs a passphrase: use --passphrase-file FILE or set VERILENS_PASSPHRASE');
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    return await new Promise<string>((resolve) => rl.question('Key passphrase: ', resolve));
  } finally {
    rl.close();
  }
}
