import { useMemo, useState } from 'react';
import { groupMetadata } from '../../lib/metadata.js';
import { humanize } from '../../lib/format.js';
import { definePanel, type PanelProps } from '../registry.js';

/** Metadata grouped by block (EXIF, GPS, XMP...), searchable, with the rows a finding points at first. */
function MetadataPanel({ result }: PanelProps<'metadata'>) {
  const [query, setQuery] = useState('');
  const groups = useMemo(() => groupMetadata(result.data, result.findings, query), [result, query]);
  const total = groups.reduce((n, g) => n + g.rows.length, 0);
  return (
    <div className="metadata">
      <input
        className="search"
        type="search"
        placeholder="Search tags and values…"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        aria-label="Search metadata"
      />
      <p className="muted small">
        {total} values{query ? ' match' : ''}. Rows marked ⚑ are the ones a warning points at.
      </p>
      {groups.map((g) => (
        <details key={g.name} open={g.flagged > 0 || groups.length <= 3 || Boolean(query)} className="meta-group">
          <summary>
            {humanize(g.name)} <span className="muted">({g.rows.length})</span>{' '}
            {g.flagged > 0 && <span className="flag">⚑ {g.flagged}</span>}
          </summary>
          <table className="kv">
            <tbody>
              {g.rows.slice(0, 300).map((r) => (
                <tr key={r.path} className={r.flagged ? 'flagged' : ''}>
                  <th title={r.path}>
                    {r.flagged ? '⚑ ' : ''}
                    {r.key}
                  </th>
                  <td>{r.text}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ))}
    </div>
  );
}

export const panel = definePanel('metadata', MetadataPanel);
