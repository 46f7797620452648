import type { JsonValue } from '../../../../src/contract/json.js';
import { DataTable, JsonTree } from '../../components/data-table.js';
import { formatValue } from '../../lib/format.js';
import { definePanel, type PanelProps } from '../registry.js';

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
      <td>{typeof value === 'object' && !Array.isArray(value) ? Object.values(value).map((v) => formatValue(v ?? null)).join(' · ') : formatValue(value)}</td>
    </tr>
  );
}

/** C2PA content credentials: what the record claims, who signed it, whether it validates; then the full tree. */
function ProvenancePanel({ result }: PanelProps<'provenance'>) {
  const { c2pa, ...rest } = result.data;
  const state = c2pa.validationState;
  return (
    <div>
      <p className="explain">
        Content Credentials (C2PA) are signed records of how a file was made and edited. A valid signature shows who signed the record, not
        that the picture is true; a missing record proves nothing, since most cameras and apps do not write one.
      </p>
      <p className={`c2pa-state c2pa-${state}`} data-testid="c2pa-state">
        {STATE_TEXT[state] ?? state}
      </p>
      <table className="kv">
        <tbody>
          <Row label="Claim generator" value={c2pa.claimGenerator} />
          <Row label="Title" value={c2pa.title} />
          <Row label="Signed by" value={c2pa.signer} />
          <Row label="Trusted by" value={c2pa.trustedBy} />
          <Row label="Digital source" value={c2pa.digitalSourceTypes} />
          <Row label="Manifests" value={c2pa.manifestCount} />
          <Row label="Remote manifest" value={c2pa.remoteManifestUrl} />
          <Row label="Reader error" value={c2pa.readerError} />
        </tbody>
      </table>
      {c2pa.actions.length > 0 && <JsonTree value={c2pa.actions} label="actions (edit history)" />}
      {c2pa.ingredients.length > 0 && <JsonTree value={c2pa.ingredients} label="ingredients (source files)" />}
      {c2pa.integrityFailures.length > 0 && <JsonTree value={c2pa.integrityFailures} label="integrity failures" />}
      <p className="muted small">{c2pa.offlineNote}</p>
      <details className="raw">
        <summary>All content-credential values</summary>
        <JsonTree value={c2pa} label="c2pa" />
      </details>
      <DataTable data={rest} />
    </div>
  );
}

export const panel = definePanel('provenance', ProvenancePanel);
