import type { Finding } from '../../../src/contract/results.js';
import type { JsonValue } from '../../../src/contract/json.js';
import { flatten, type Row } from './flatten.js';
import { formatValue } from './format.js';

const GENERIC = new Set(['kind', 'name', 'field', 'value', 'type', 'source', 'count', 'date', 'time', 'text', 'note']);

export interface MetaRow extends Row {
  text: string;
  /** A warn/alert finding mentions this tag or its value. */
  flagged: boolean;
}

export interface MetaGroup {
  name: string;
  rows: MetaRow[];
  flagged: number;
}

/** Group metadata rows, mark the ones a finding points at, and put flagged rows and groups first. */
export function groupMetadata(data: JsonValue, findings: Finding[], query: string): MetaGroup[] {
  const flags = findings.filter((f) => f.severity !== 'info').map((f) => f.message.toLowerCase());
  const q = query.trim().toLowerCase();
  const groups = new Map<string, MetaRow[]>();
  for (const r of flatten(data)) {
    const text = formatValue(r.value);
    const leaf = (r.key.split('.').pop() ?? r.key).toLowerCase();
    const t = text.toLowerCase();
    // A row is flagged when a warning names its tag, or quotes a value specific enough to be that row's (not a common word).
    const specific = t.length >= 4 && t.length <= 80 && /[0-9A-Z._:/-]/.test(formatValue(r.value));
    const flagged = flags.some((m) => (leaf.length >= 4 && !GENERIC.has(leaf) && m.includes(leaf)) || (specific && m.includes(t)));
    if (q && !r.path.toLowerCase().includes(q) && !t.includes(q)) continue;
    const list = groups.get(r.group) ?? [];
    list.push({ ...r, text, flagged });
    groups.set(r.group, list);
  }
  return [...groups.entries()]
    .map(([name, rows]) => ({
      name,
      rows: rows.sort((a, b) => Number(b.flagged) - Number(a.flagged)),
      flagged: rows.filter((x) => x.flagged).length,
    }))
    .sort((a, b) => b.flagged - a.flagged || a.name.localeCompare(b.name));
}
