import type { ComponentType } from 'react';
import type { AnalyzerDataMap, AnalyzerId, AnalyzerResults, ArtifactKindOf } from '../../../src/contract/analyzers/index.js';
import type { AnalyzerOk } from '../../../src/contract/results.js';

/** What an analyzer's panel gets: its own `ok` result, typed, and the file's other results. */
export interface PanelProps<K extends AnalyzerId> {
  result: AnalyzerOk<AnalyzerDataMap[K], ArtifactKindOf<K>>;
  all: AnalyzerResults;
  caseId: string;
}

export interface PanelDef<K extends AnalyzerId> {
  id: K;
  Component: ComponentType<PanelProps<K>>;
}

export type AnyPanel = { [K in AnalyzerId]: PanelDef<K> }[AnalyzerId];

/** Declare an analyzer's panel: `export const panel = definePanel('ela', ElaPanel)` in panels/analyzers/<id>.tsx. */
export function definePanel<K extends AnalyzerId>(id: K, Component: ComponentType<PanelProps<K>>): PanelDef<K> {
  return { id, Component };
}

// Every file in panels/analyzers/ that exports `panel` is an analyzer's panel: adding one needs no registration.
const modules = import.meta.glob<{ panel?: AnyPanel }>('./analyzers/*.tsx', { eager: true });

const PANELS: Partial<{ [K in AnalyzerId]: PanelDef<K> }> = {};
for (const m of Object.values(modules)) {
  if (!m.panel) continue;
  // Each panel is stored under its own id, so the widened view is exact.
  const byId: Partial<Record<AnalyzerId, AnyPanel>> = PANELS;
  byId[m.panel.id] = m.panel;
}

/** The panel of analyzer `id`, or undefined (the generic table is shown). */
export function panelFor<K extends AnalyzerId>(id: K): PanelDef<K> | undefined {
  return PANELS[id];
}
