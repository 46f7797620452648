import type { ModelEntry } from './manifest.js';

/** The `## ...` section of MODEL_CARDS.md that names the model id in backticks. */
export function cardSection(markdown: string, id: string): string {
  const sections = markdown.split(/^## /m).slice(1);
  const hit = sections.find((sec) => (sec.split('\n')[0] ?? '').includes(`\`${id}\``));
  return hit ? `## ${hit}`.trim() : '';
}

/** A model's card as the Models view shows it: its MODEL_CARDS.md section, then the manifest's facts. */
export function modelCard(e: ModelEntry, section: string): string {
  const lines = [
    ...(section ? [section, ''] : [`## ${e.title}`, '']),
    '### From the manifest',
    `- **Role**: ${e.role}; **licence**: ${e.licence}`,
    `- **Upstream**: ${[e.upstream.repository, e.upstream.commit, e.upstream.path].filter(Boolean).join(' ')}`,
    `- **Thresholds**: ${
      Object.entries(e.thresholds)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none'
    }; **strength**: ${e.strength} signal`,
    ...e.performance.map((p) => `- **Measured**: ${p.metric} ${p.value} on ${p.dataset} (n=${p.n})${p.note ? `, ${p.note}` : ''}`),
    `- **Limits**: ${e.limits}`,
  ];
  return lines.join('\n');
}

