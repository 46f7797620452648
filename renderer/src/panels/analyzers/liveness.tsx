import { FacesTable } from '../faces-table.js';
import { definePanel, type PanelProps } from '../registry.js';

function LivenessPanel({ result, all, caseId }: PanelProps<'liveness'>) {
  return <FacesTable id="liveness" caseId={caseId} data={result.data} crops={[]} all={all} />;
}

export const panel = definePanel('liveness', LivenessPanel);
