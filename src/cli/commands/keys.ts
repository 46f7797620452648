import { readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import type { ParseArgsConfig } from 'node:util';
import { loadOrCreateAnalystKey, readAnalystPublicKey } from '../../keys/keyring.js';
import { listTrustedKeys, trustKey, type TrustPurpose } from '../../keys/trust-store.js';
import { VerilensError } from '../../util/errors.js';
import { dataHome } from '../../util/paths.js';
import { parseCommandLine, UsageError, type CliIO, type Command } from '../io.js';
import { readPassphrase } from '../passphrase.js';

const USAGE = `verilens keys <subcommand>
  init [--analyst NAME] [--passphrase-file F]   create your Ed25519 key pair (first use)
  export [--out FILE]                            print or write your public key (PEM) and fingerprint (no passphrase)
  trust <pubkey.pem> --for models|reports|models,reports [--name NAME]
                                                 trust a colleague's or an organisation's public key
  list                                           list trusted keys with their fingerprints
The data folder is ${'$'}VERILENS_HOME or the platform's user data folder.`;

function parse(argv: string[], options: NonNullable<ParseArgsConfig['options']>) {
  return parseCommandLine(argv, options, true);
}

export const keysCommand: Command = {
  name: 'keys',
  summary: 'manage your signing key and the keys you trust',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    const [sub, ...rest] = argv;
    const home = dataHome(io.env);
    switch (sub) {
      case 'init':
      case 'export': {
        const { values } = parse(rest, { analyst: { type: 'string' }, 'passphrase-file': { type: 'string' }, out: { type: 'string' } });
        const analyst = (values['analyst'] as string | undefined) ?? userInfo().username;
        // Exporting an existing public key needs no passphrase; creating a key does.
        const existing = sub === 'export' ? await readAnalystPublicKey(home) : null;
        const key = existing ?? (await loadOrCreateAnalystKey(home, analyst, await readPassphrase(io, values['passphrase-file'] as string | undefined)));
        if ('created' in key && key.created) io.err(`created a new key for ${key.analyst} in ${home}\n`);
        const out = values['out'] as string | undefined;
        if (out) await writeFile(out, key.publicKeyPem);
        if (sub === 'export' && !out) io.out(key.publicKeyPem);
        io.out(`analyst ${key.analyst}\nfingerprint ${key.shortFingerprint} (full: ${key.fingerprint})\n`);
        return 0;
      }
      case 'trust': {
        const { values, positionals } = parse(rest, { name: { type: 'string' }, for: { type: 'string' } });
        const file = positionals[0];
        if (!file || positionals.length > 1) throw new UsageError('keys trust takes exactly one public key file');
        // Required: trusting a colleague for reports must never make them a trusted source of models.
        const forValue = values['for'] as string | undefined;
        if (!forValue) throw new UsageError("keys trust needs --for models, --for reports or --for models,reports (what this key may vouch for)");
        const purposes = forValue.split(',').map((s) => s.trim());
        for (const p of purposes) if (p !== 'models' && p !== 'reports') throw new UsageError(`--for takes models and/or reports, got '${p}'`);
        const pem = await readFile(file, 'utf8').catch((e: Error) => {
          throw new VerilensError('unreadable', `${file}: cannot read (${e.message})`);
        });
        const k = await trustKey(home, pem, { name: (values['name'] as string | undefined) ?? file, purposes: purposes as TrustPurpose[], source: file });
        io.out(`trusted ${k.name} for ${k.purposes.join(' and ')}\nfingerprint ${k.shortFingerprint} (full: ${k.fingerprint})\n`);
        return 0;
      }
      case 'list': {
        const keys = await listTrustedKeys(home);
        if (keys.length === 0) io.out(`no trusted keys in ${home}\n`);
        for (const k of keys) io.out(`${k.shortFingerprint}  ${k.name}  (${k.purposes.join(', ')}; added ${k.added})\n`);
        return 0;
      }
      default:
        throw new UsageError(sub ? `unknown keys subcommand '${sub}'` : 'keys needs a subcommand');
    }
  },
};
