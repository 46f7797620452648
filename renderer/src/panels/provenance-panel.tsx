import type { AnalyzerResult } from '../../../src/contract/results.js';
import { JsonTree } from '../components/data-table.js';

/** C2PA content credentials: the manifest store as a tree (claims, assertions, ingredients, signatures). */
export function ProvenancePanel({ result }: { result: AnalyzerResult }) {
  return (
    <div>
      <p className="explain">
        Content Credentials (C2PA) are signed records of how a file was made and edited. A valid signature shows who signed the record, not
        that the picture is true; a missing record proves nothing, since most cameras and apps do not write one.
      </p>
      <JsonTree value={result.data} label="content credentials" />
    </div>
  );
}
