import type { JpegData } from '../../../src/contract/analyzers/index.js';

export interface QuantTable {
  label: string;
  /** 64 values in natural (row-major) order. */
  values: number[];
}

/** The quantisation tables in use, labelled by role, id and the IJG quality they are closest to. */
export function quantTables(data: JpegData): QuantTable[] {
  return data.quantTables.map((t) => ({ label: `${t.role} #${t.id} ≈ quality ${t.quality}`, values: t.values.flat() }));
}
