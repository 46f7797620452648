import { defaultAnalyst } from '../../cases/index.js';
import { loadOrCreateAnalystKey } from '../../keys/keyring.js';
import { VerilensError } from '../../util/errors.js';
import { exportReport } from '../../reports/export.js';
import { dataHome } from '../../util/paths.js';
import { intOption, parseCommandLine, UsageError, type CliIO, type Command } from '../io.js';
import { readPassphrase } from '../passphrase.js';

export const reportCommand: Command = {
  name: 'report',
  summary: 'export a signed case report (PDF, canonical JSON twin, detached signature)',
  usage: `verilens report <case folder> --out FILE.pdf [--passphrase-file F] [--analyst NAME] [--as-of N]
  Writes FILE.pdf, FILE.json (canonical JSON, the same content) and FILE.sig (Ed25519 signature
  over the JSON's and the PDF's SHA-256) with your analyst key, and records the export in the
  case's custody log. The report describes the case as of its last content entry (or entry N with
  --as-of), so exporting again gives byte-identical files.
  The key passphrase comes from --passphrase-file, VERILENS_PASSPHRASE or a prompt.
  The report is signed by the key's owner; --analyst NAME names the owner of a new key (default:
  VERILENS_ANALYST, else the OS user) and is refused when the existing key belongs to someone else.`,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandLine(argv, {
      out: { type: 'string' },
      case: { type: 'string' },
      'passphrase-file': { type: 'string' },
      analyst: { type: 'string' },
      'as-of': { type: 'string' },
    });
    const dir = values.case ?? positionals[0];
    if (!dir || positionals.length > (values.case ? 0 : 1)) throw new UsageError('give exactly one case folder');
    if (!values.out) throw new UsageError('--out FILE.pdf is required');
    if (!values.out.toLowerCase().endsWith('.pdf')) throw new UsageError(`--out must name a .pdf file (got '${values.out}'); the .json and .sig are written beside it`);
    const asOf = intOption('as-of', values['as-of'], 1, Number.MAX_SAFE_INTEGER);
    const home = dataHome(io.env);
    const passphrase = await readPassphrase(io, values['passphrase-file']);
    const named = values.analyst?.trim();
    const key = await loadOrCreateAnalystKey(home, named || defaultAnalyst(io.env), passphrase);
    // The signer is whoever owns the key: a different --analyst cannot be honoured, so it is not ignored either.
    if (named && key.analyst !== named) {
      throw new VerilensError(
        'analyst-mismatch',
        `the signing key in ${home} belongs to ${key.analyst} (key ${key.shortFingerprint}), not ${named}: a report is signed by the key's owner. Run without --analyst to sign as ${key.analyst}, or use ${named}'s own data folder (VERILENS_HOME) and key`,
      );
    }
    if (key.created) io.err(`created a new signing key for ${key.analyst} in ${home} (fingerprint ${key.shortFingerprint}); share its public key with 'verilens keys export'\n`);
    const r = await exportReport(dir, values.out, key, asOf ? { asOfSeq: asOf } : {});
    io.out(
      `report for case ${r.document.case.id} as of custody entry ${r.document.custody.entries}\n` +
        `  ${r.paths.pdf}  sha256 ${r.signature.signed.pdfSha256}\n` +
        `  ${r.paths.json}  sha256 ${r.signature.signed.jsonSha256}\n` +
        `  ${r.paths.sig}\n` +
        `signed by ${key.analyst}, key ${key.shortFingerprint}; recorded as custody entry ${r.custodySeq}\n`,
    );
    return 0;
  },
};
