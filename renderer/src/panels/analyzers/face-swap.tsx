import { FacesTable } from '../faces-table.js';
import { definePanel, type PanelProps } from '../registry.js';

function FaceSwapPanel({ result, all, caseId }: PanelProps<'face-swap'>) {
  return <FacesTable id="face-swap" caseId={caseId} data={result.data} crops={[]} all={all} />;
}

export const panel = definePanel('face-swap', FaceSwapPanel);
