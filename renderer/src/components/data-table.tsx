import type { JsonValue } from '../../../src/contract/json.js';
import { flatten } from '../lib/flatten.js';
import { formatValue, humanize } from '../lib/format.js';

/** Any analyzer's data as a readable two-column table. */
export function DataTable({ data, skip = [] }: { data: JsonValue; skip?: string[] }) {
  const rows = flatten(data).filter((r) => !skip.some((s) => r.path === s || r.path.startsWith(`${s}.`)));
  if (rows.length === 0) return <p className="muted">No data.</p>;
  return (
    <table className="kv">
      <tbody>
        {rows.slice(0, 400).map((r) => (
          <tr key={r.path}>
            <th title={r.path}>{r.path.split('.').map(humanize).join(' › ')}</th>
            <td>{formatValue(r.value)}</td>
          </tr>
        ))}
        {rows.length > 400 && (
          <tr>
            <td colSpan={2} className="muted">
              {rows.length - 400} more rows are in the report.
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

/** Nested data (C2PA manifests, ingredient trees) as an expandable tree. */
export function JsonTree({ value, label, depth = 0 }: { value: JsonValue; label: string; depth?: number }) {
  if (value === null || typeof value !== 'object') {
    return (
      <div className="tree-leaf">
        <span className="tree-key">{label}</span> <span className="tree-val">{formatValue(value)}</span>
      </div>
    );
  }
  const entries: [string, JsonValue][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  return (
    <details className="tree" open={depth < 2}>
      <summary>
        <span className="tree-key">{label}</span>{' '}
        <span className="muted">{Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`}</span>
      </summary>
      {entries.map(([k, v]) => (
        <JsonTree key={k} label={k} value={v} depth={depth + 1} />
      ))}
    </details>
  );
}
