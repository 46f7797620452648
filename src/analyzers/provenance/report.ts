import type { C2paSummary } from '../../contract/analyzers/provenance.js';
import type { ReportSection } from '../../reports/blocks.js';

function c2paRows(c2pa: C2paSummary): [string, string][] {
  const s = (v: string | number | null): string => (v === null ? '-' : String(v));
  const rows: [string, string][] = [];
  rows.push(['Manifest store', c2pa.present ? `present (${c2pa.manifestCount} manifest(s))` : 'none embedded']);
  if (!c2pa.present) {
    if (c2pa.readerError) rows.push(['Reader', c2pa.readerError]);
    return rows;
  }
  rows.push(['Validation', c2pa.validationState]);
  rows.push(['Claim generator', s(c2pa.claimGenerator)]);
  if (c2pa.signer) rows.push(['Signer', `${s(c2pa.signer.commonName)}, issued by ${s(c2pa.signer.issuer)}${c2pa.signer.time ? `, signed ${c2pa.signer.time}` : ''}`]);
  rows.push(['Digital source type', s(c2pa.digitalSourceType)]);
  if (c2pa.actions.length) {
    rows.push(['Actions', c2pa.actions.slice(0, 8).map((a) => `${a.action}${a.softwareAgent ? ` (${a.softwareAgent})` : ''}`).join('; ') + (c2pa.actions.length > 8 ? `; ... ${c2pa.actions.length - 8} more` : '')]);
  }
  const codes = (list: { code: string }[]): string => (list.length ? list.map((x) => x.code).join(', ') : 'none');
  rows.push(['Integrity failures', codes(c2pa.integrityFailures)]);
  rows.push(['Trust', codes(c2pa.trust)]);
  if (c2pa.remoteManifestUrl) rows.push(['Remote manifest', `${c2pa.remoteManifestUrl} (not fetched: Verilens works offline)`]);
  return rows;
}

/** Provenance's part of the PDF: the C2PA summary as facts. */
export const provenanceReport: ReportSection<'provenance'> = (r) => [
  { kind: 'para', text: 'Content credentials (C2PA), read offline:', bold: true, size: 9 },
  { kind: 'facts', rows: c2paRows(r.data.c2pa), labelWidth: 110 },
];
