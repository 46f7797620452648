import type { AnalyzerResult, Severity, Verdict } from '../../../src/contract/results.js';
import { STATUS_LABEL, VERDICT_HELP, VERDICT_LABEL, type OverallState } from '../lib/verdict.js';

export function VerdictBadge({ state, overridden = false }: { state: OverallState | Verdict; overridden?: boolean }) {
  return (
    <span
      className={`badge verdict-${state}`}
      title={VERDICT_HELP[state] + (overridden ? ' (set by an analyst override)' : '')}
      data-verdict={state}
    >
      {VERDICT_LABEL[state]}
      {overridden ? ' ✎' : ''}
    </span>
  );
}

export function StatusChip({ status }: { status: AnalyzerResult['status'] }) {
  return <span className={`chip status-${status}`}>{STATUS_LABEL[status]}</span>;
}

const SEVERITY_LABEL: Record<Severity, string> = { info: 'Note', warn: 'Warning', alert: 'Alert' };

export function SeverityTag({ severity }: { severity: Severity }) {
  return <span className={`sev sev-${severity}`}>{SEVERITY_LABEL[severity]}</span>;
}

export function Sha({ value, full = false }: { value: string; full?: boolean }) {
  return (
    <code className="sha" title={value}>
      {full ? value : `${value.slice(0, 12)}…`}
    </code>
  );
}
