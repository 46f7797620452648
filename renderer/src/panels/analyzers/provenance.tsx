import type { AnalyzerResult } from '../../../src/contract/results.js';
import type { JsonValue } from '../../../src/contract/json.js';
import { DataTable, JsonTree } from '../components/data-table.js';
import { isObject } from '../lib/flatten.js';
import { formatValue } from '../lib/format.js';

const STATE_TEXT: Record<string, string> = {
  valid: 'Valid signature (check who signed it below)',
  trusted: 'Valid and signed by a trusted signer',
  invalid: 'INVALID: the record does not match the file or its signature fails',
  none: 'No content credentials in this file',
};

function Row({ label, value }: { label: string; value: JsonValue | undefined }) {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return null;
  return (
    <tr>
      <th>{label}</th>
      <td>{isObject(value) ? Object.values(value).map(formatValue).join(' · ') : formatValue(value)}</td>
    </tr>
  );
}

/** C2PA content credentials: what the record claims, who signed it, whether it validates; then the full tree. */
export function ProvenancePanel({ result }: { result: AnalyzerResult }) {
  const c2pa = isObject(result.data['c2pa']) ? result.data['c2pa'] : null;
  const state = c2pa && typeof c2pa['validationState'] === 'string' ? c2pa['validationState'] : 'none';
  const { c2pa: _c2pa, ...rest } = result.data;
  return (
    <div>
      <p className="explain">
        Content Credentials (C2PA) are signed records of how a file was made and edited. A valid signature shows who signed the record, not
        that the picture is true; a missing record proves nothing, since most cameras and apps do not write one.
      </p>
      {c2pa && (
        <>
          <p className={`c2pa-state c2pa-${state}`} data-testid="c2pa-state">
            {STATE_TEXT[state] ?? state}
          </p>
          <table className="kv">
            <tbody>
              <Row label="Claim generator" value={c2pa['claimGenerator']} />
              <Row label="Title" value={c2pa['title']} />
              <Row label="Signed by" value={c2pa['signer']} />
              <Row label="Trusted by" value={c2pa['trustedBy']} />
              <Row label="Digital source" value={c2pa['digitalSourceTypes']} />
              <Row label="Manifests" value={c2pa['manifestCount']} />
              <Row label="Remote manifest" value={c2pa['remoteManifestUrl']} />
              <Row label="Reader error" value={c2pa['readerError']} />
            </tbody>
          </table>
          {Array.isArray(c2pa['actions']) && c2pa['actions'].length > 0 && (
            <JsonTree value={c2pa['actions']} label="actions (edit history)" />
          )}
          {Array.isArray(c2pa['ingredients']) && c2pa['ingredients'].length > 0 && (
            <JsonTree value={c2pa['ingredients']} label="ingredients (source files)" />
          )}
          {Array.isArray(c2pa['integrityFailures']) && c2pa['integrityFailures'].length > 0 && (
            <JsonTree value={c2pa['integrityFailures']} label="integrity failures" />
          )}
          {typeof c2pa['offlineNote'] === 'string' && <p className="muted small">{c2pa['offlineNote']}</p>}
          <details className="raw">
            <summary>All content-credential values</summary>
            <JsonTree value={c2pa} label="c2pa" />
          </details>
        </>
      )}
      <DataTable data={rest} />
    </div>
  );
}
