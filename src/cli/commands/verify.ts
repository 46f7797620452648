import { formatReportVerification, verifyReport } from '../../reports/verify.js';
import { dataHome } from '../../util/paths.js';
import { parseCommandLine, UsageError, type CliIO, type Command } from '../io.js';

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'verify a signed report offline (signature, signer trust, PDF, JSON, evidence)',
  usage: `verilens verify <report.pdf|.json|.sig> [--evidence DIR] [--case DIR] [--json]
  Checks the Ed25519 signature, that the signer is in your trust store (purpose 'reports') or is
  your own key, that the PDF and JSON are the signed bytes, and with --evidence that every
  evidence file in DIR (searched recursively) still has its recorded SHA-256. --case DIR also
  checks the case's custody log still holds the entries the report covers, and its evidence.
  Prints VALID or INVALID with reasons. Exit code 0 only when VALID, 1 otherwise, 2 on usage errors.`,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandLine(argv, { evidence: { type: 'string' }, case: { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError('give exactly one report file (the .pdf, .json or .sig of the bundle)');
    const v = await verifyReport(positionals[0]!, {
      home: dataHome(io.env),
      ...(values.evidence ? { evidenceDir: values.evidence } : {}),
      ...(values.case ? { caseDir: values.case } : {}),
    });
    io.out(values.json ? `${JSON.stringify(v, null, 2)}\n` : formatReportVerification(v));
    return v.valid ? 0 : 1;
  },
};
