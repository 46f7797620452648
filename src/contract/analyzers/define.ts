import type { JsonObject } from '../json.js';
import type { ParamTable } from '../params.js';

/**
 * What everything outside an analyzer may know about it: its id and title, the exact type of its
 * `data`, the artifact kinds it emits, its parameters and the model roles it runs. The engine's
 * analyzer, the runner, the CLI, the IPC validator, the renderer and the PDF all read this.
 */
export interface AnalyzerContract<Id extends string = string, D extends JsonObject = JsonObject, K extends string = string, P extends ParamTable = ParamTable> {
  readonly id: Id;
  /** One line for `--help`, the UI and reports: "Name: what it checks". */
  readonly title: string;
  /** Every artifact kind the analyzer may emit (the `kind` of its ArtifactRefs). */
  readonly artifacts: readonly K[];
  readonly params: P;
  /** Model roles (models/manifest.json `role`) whose models this analyzer runs. */
  readonly modelRoles: readonly string[];
  /** Type-level only: the type of `data` in an `ok` result. Never set at run time. */
  readonly dataType?: D;
}

/**
 * Declare a contract: `defineContract<FacesData>()({ id: 'faces', ... })`. The data type is given
 * explicitly; ids, artifact kinds and parameter names are inferred as literals.
 */
export function defineContract<D extends JsonObject>() {
  return <const Id extends string, const K extends string, const P extends ParamTable>(c: {
    id: Id;
    title: string;
    artifacts: readonly K[];
    params: P;
    modelRoles?: readonly string[];
  }): AnalyzerContract<Id, D, K, P> => ({ ...c, modelRoles: c.modelRoles ?? [] });
}

export type DataOf<C> = C extends AnalyzerContract<string, infer D, string, ParamTable> ? D : never;
export type ArtifactKindsOf<C> = C extends AnalyzerContract<string, JsonObject, infer K, ParamTable> ? K : never;
export type ParamTableOf<C> = C extends AnalyzerContract<string, JsonObject, string, infer P> ? P : never;
