import type { AnalyzerResult, FileResult } from '../contract/results.js';

const useColor = (tty: boolean, env: Readonly<Record<string, string | undefined>>): boolean => tty && !env['NO_COLOR'];

export function paint(on: boolean): (code: string, s: string) => string {
  return (code, s) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
}

function formatScore(r: AnalyzerResult): string {
  if (r.score === undefined) return '';
  const strength = r.scoreInfo?.strength === 'weak' ? ' (weak signal)' : '';
  return ` score ${r.score.toFixed(2)}${strength}`;
}

/** Human-readable summary of one file's result. */
export function formatFileResult(r: FileResult, opts: { color: boolean; verbose?: boolean }): string {
  const c = paint(opts.color);
  const lines: string[] = [];
  if (!r.evidence) {
    lines.push(`${c('1', r.input)}`);
    lines.push(`  ${c('31', 'ERROR')} ${r.error?.code ?? 'error'}: ${r.error?.message ?? 'could not be analysed'}`);
    return lines.join('\n');
  }
  const e = r.evidence;
  const dims = e.width && e.height ? ` ${e.width}x${e.height}` : '';
  lines.push(`${c('1', r.input)}  ${e.type}${dims}  ${e.bytes.toLocaleString('en-US')} bytes`);
  lines.push(`  sha256 ${e.sha256}`);
  if (r.integrity && !r.integrity.unchanged) {
    lines.push(`  ${c('31;1', 'EVIDENCE CHANGED ON DISK DURING ANALYSIS')} (now ${r.integrity.rehashSha256})`);
  }
  const integrityProblems = Object.entries(r.analyzers).filter(([, a]) => a.error?.code === 'model-integrity');
  if (integrityProblems.length) {
    lines.push(`  ${c('31;1', `MODEL INTEGRITY FAILURE: ${integrityProblems.map(([id]) => id).join(', ')} did not run; their verdicts are missing, not clean`)}`);
  }
  for (const [id, a] of Object.entries(r.analyzers)) {
    const verdict =
      a.status !== 'ok'
        ? c(a.status === 'not-applicable' ? '2' : '33', a.status)
        : a.verdict === 'suspicious'
          ? c('31;1', 'SUSPICIOUS')
          : a.verdict === 'consistent'
            ? c('32', 'consistent')
            : c('33', a.verdict ?? 'ok');
    const extra = a.status === 'ok' ? formatScore(a) : a.error ? ` ${a.error.code}: ${a.error.message}` : typeof a.data['reason'] === 'string' ? ` (${a.data['reason']})` : '';
    lines.push(`  ${id.padEnd(12)} ${verdict}${extra}`);
    const shown = opts.verbose ? a.findings : a.findings.filter((f) => f.severity !== 'info');
    for (const f of shown) {
      const sev = f.severity === 'alert' ? c('31', 'alert') : f.severity === 'warn' ? c('33', 'warn ') : c('2', 'info ');
      lines.push(`    ${sev} [${f.code}] ${f.message}`);
    }
    const hidden = a.findings.length - shown.length;
    if (hidden > 0) lines.push(c('2', `    (${hidden} informational finding${hidden > 1 ? 's' : ''}; --verbose shows them)`));
    for (const art of a.artifacts) if (art.path) lines.push(c('2', `    ${art.kind}: ${art.path}`));
  }
  return lines.join('\n');
}

export { useColor };
