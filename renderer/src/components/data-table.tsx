import type { JsonValue } from '../../../src/contract/json.js';
import { entriesOf, flatten } from '../lib/flatten.js';
import { formatValue, humanize } from '../lib/format.js';

type Scalar = string | number | boolean | null;

/** Lists of flat records (segments, clusters, per-frame rows) read best as a grid; one nested level becomes `a.b` columns. */
function tabular(v: JsonValue): Record<string, Scalar>[] | null {
  if (!Array.isArray(v) || v.length === 0) return null;
  const out: Record<string, Scalar>[] = [];
  for (const x of v) {
    if (typeof x !== 'object' || x === null || Array.isArray(x)) return null;
    const row: Record<string, Scalar> = {};
    for (const [k, y] of entriesOf(x)) {
      if (y === null || typeof y !== 'object') row[k] = y;
      else if (!Array.isArray(y) && entriesOf(y).every(([, z]) => z === null || typeof z !== 'object')) {
        for (const [k2, z] of entriesOf(y)) row[`${k}.${k2}`] = z as Scalar;
      } else return null;
    }
    out.push(row);
  }
  return out;
}

function Grid({ name, rows }: { name: string; rows: Record<string, Scalar>[] }) {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))].slice(0, 10);
  return (
    <details className="sub-grid" open={rows.length <= 12}>
      <summary>
        {name.split('.').map(humanize).join(' › ')} <span className="muted">({rows.length})</span>
      </summary>
      <table className="grid-table compact">
        <thead>
          <tr>
            {cols.map((c) => (
              <th key={c}>{c.split('.').map(humanize).join(' ')}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, 200).map((r, i) => (
            <tr key={i}>
              {cols.map((c) => (
                <td key={c}>{formatValue(r[c] ?? null)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/** Paths (up to three levels down) holding lists of flat records. */
function findGrids(data: JsonValue, skip: string[]): { k: string; t: Record<string, Scalar>[] }[] {
  const out: { k: string; t: Record<string, Scalar>[] }[] = [];
  const walk = (v: JsonValue, path: string[], depth: number): void => {
    const k = path.join('.');
    if (depth > 3 || skip.includes(k)) return;
    const t = path.length ? tabular(v) : null;
    if (t) {
      out.push({ k, t });
      return;
    }
    if (v !== null && typeof v === 'object' && !Array.isArray(v))
      for (const [kk, x] of entriesOf(v)) walk(x, [...path, kk], depth + 1);
  };
  walk(data, [], 0);
  return out;
}

/** Any analyzer's data as a readable two-column table (record lists as grids). */
export function DataTable({ data, skip = [] }: { data: JsonValue; skip?: string[] }) {
  const grids = findGrids(data, skip);
  const gridKeys = grids.map((g) => g.k);
  const rows = flatten(data).filter((r) => ![...skip, ...gridKeys].some((s) => r.path === s || r.path.startsWith(`${s}.`)));
  if (rows.length === 0 && grids.length === 0) return <p className="muted">No data.</p>;
  return (
    <>
      {grids.map((g) => (
        <Grid key={g.k} name={g.k} rows={g.t} />
      ))}
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
    </>
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
  const entries: [string, JsonValue][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : entriesOf(value);
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
