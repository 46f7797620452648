import { FacesTable } from '../faces-table.js';
import { definePanel, type PanelProps } from '../registry.js';

function FacesPanel({ result, all, caseId }: PanelProps<'faces'>) {
  return <FacesTable id="faces" caseId={caseId} data={result.data} crops={result.artifacts.filter((a) => a.kind === 'face-crop').slice(0, 12)} all={all} />;
}

export const panel = definePanel('faces', FacesPanel);
