import type { XmpDeclarations } from '../../contract/analyzers/provenance.js';
import { sourceTerm } from './source-type.js';

export type { XmpDeclarations } from '../../contract/analyzers/provenance.js';

const MAX_VALUE = 4000;

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => String.fromCodePoint(Math.min(parseInt(h, 16), 0x10ffff)))
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Math.min(parseInt(d, 10), 0x10ffff)))
    .replace(/&amp;/g, '&');
}

/** Values of a property in any of XMP's three spellings: attribute, simple element, or rdf:li inside an Alt/Seq/Bag. */
export function xmpValues(xmp: string, prop: string): string[] {
  const out: string[] = [];
  const p = prop.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const patterns = [
    new RegExp(`\\s${p}\\s*=\\s*"([^"]{0,${MAX_VALUE}})"`, 'g'),
    new RegExp(`\\s${p}\\s*=\\s*'([^']{0,${MAX_VALUE}})'`, 'g'),
    new RegExp(`<${p}(?:\\s[^>]{0,400})?>([^<]{1,${MAX_VALUE}})</${p}>`, 'g'),
    new RegExp(`<${p}\\s[^>]{0,400}rdf:resource\\s*=\\s*"([^"]{0,${MAX_VALUE}})"`, 'g'),
    new RegExp(`<${p}(?:\\s[^>]{0,400})?>\\s*<rdf:(?:Alt|Seq|Bag)>\\s*<rdf:li(?:\\s[^>]{0,200})?>([^<]{0,${MAX_VALUE}})</rdf:li>`, 'g'),
  ];
  for (const re of patterns) {
    for (const m of xmp.matchAll(re)) {
      const v = unescapeXml(m[1] ?? '').trim();
      if (v && !out.includes(v)) out.push(v);
      if (out.length >= 16) return out;
    }
  }
  return out;
}

export function readXmpDeclarations(packets: readonly string[]): XmpDeclarations {
  const d: XmpDeclarations = { digitalSourceTypes: [] };
  for (const x of packets) {
    for (const v of xmpValues(x, 'Iptc4xmpExt:DigitalSourceType')) {
      const t = sourceTerm(v);
      if (t && !d.digitalSourceTypes.includes(t)) d.digitalSourceTypes.push(t);
    }
    // Some writers use the IPTC URI outside the property (e.g. in a plus: or custom namespace).
    for (const m of x.matchAll(/cv\.iptc\.org\/newscodes\/digitalsourcetype\/([A-Za-z]+)/g)) {
      if (!d.digitalSourceTypes.includes(m[1]!)) d.digitalSourceTypes.push(m[1]!);
    }
    d.creatorTool ??= xmpValues(x, 'xmp:CreatorTool')[0];
    d.software ??= xmpValues(x, 'tiff:Software')[0];
    d.aiSystemUsed ??= xmpValues(x, 'Iptc4xmpExt:AISystemUsed')[0];
    d.aiSystemVersion ??= xmpValues(x, 'Iptc4xmpExt:AISystemVersionUsed')[0];
    d.aiPrompt ??= xmpValues(x, 'Iptc4xmpExt:AIPromptInformation')[0];
    d.provenanceUrl ??= xmpValues(x, 'dcterms:provenance')[0];
  }
  for (const k of ['creatorTool', 'software', 'aiSystemUsed', 'aiSystemVersion', 'aiPrompt', 'provenanceUrl'] as const) {
    if (d[k] === undefined) delete d[k];
  }
  return d;
}
