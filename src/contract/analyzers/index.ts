/**
 * The analyzer registry as the rest of the product sees it: one line per analyzer in
 * ANALYZER_CONTRACTS ties its id to its contract, and with it to the type of its `data`, its
 * artifact kinds and its parameters. Renderer, reports, CLI and IPC read analyzers through these
 * types; nothing matches ids or artifact kinds by substring.
 */
import type { JsonObject } from '../json.js';
import { validateParams, type ParamCheck, type ParamInput, type ParamsOf } from '../params.js';
import type { AnalyzerResult } from '../results.js';
import { classifiersContract } from './classifiers.js';
import { containerContract } from './container.js';
import type { AnalyzerContract, ArtifactKindsOf, DataOf, ParamTableOf } from './define.js';
import { elaContract } from './ela.js';
import { faceSwapContract } from './face-swap.js';
import { facesContract } from './faces.js';
import { jpegContract } from './jpeg.js';
import { livenessContract } from './liveness.js';
import { metadataContract } from './metadata.js';
import { provenanceContract } from './provenance.js';
import { syntheticContract } from './synthetic.js';
import { videoFacesContract } from './video-faces.js';

/** Every analyzer's contract, by id, in display order. */
export const ANALYZER_CONTRACTS = {
  metadata: metadataContract,
  provenance: provenanceContract,
  ela: elaContract,
  jpeg: jpegContract,
  faces: facesContract,
  liveness: livenessContract,
  'face-swap': faceSwapContract,
  classifiers: classifiersContract,
  container: containerContract,
  'video-faces': videoFacesContract,
  synthetic: syntheticContract,
} as const;

type Contracts = typeof ANALYZER_CONTRACTS;
export type AnalyzerId = keyof Contracts;

// Each entry's key must be its contract's id.
type KeyMismatch = { [K in AnalyzerId]: Contracts[K]['id'] extends K ? never : K }[AnalyzerId];
const _keysMatch: KeyMismatch extends never ? true : KeyMismatch = true;
void _keysMatch;

/** The type of `data` in an `ok` result of each analyzer. */
export type AnalyzerDataMap = { [K in AnalyzerId]: DataOf<Contracts[K]> };
/** The artifact kinds each analyzer may emit. */
export type ArtifactKindOf<K extends AnalyzerId> = ArtifactKindsOf<Contracts[K]>;
export type ArtifactKind = ArtifactKindOf<AnalyzerId>;
/** The validated parameters each analyzer receives. */
export type ParamsFor<K extends AnalyzerId> = ParamsOf<ParamTableOf<Contracts[K]>>;
/** One analyzer's result, with its data typed. */
export type ResultOf<K extends AnalyzerId> = AnalyzerResult<AnalyzerDataMap[K], ArtifactKindOf<K>>;
/** A file's results by analyzer id: `results.faces?.status === 'ok' && results.faces.data.faces[0]`. */
export type AnalyzerResults = { [K in AnalyzerId]?: ResultOf<K> };
/** Any analyzer's result (the data of an `ok` one is one of the analyzers' data types). */
export type AnyAnalyzerResult = ResultOf<AnalyzerId>;

export const ANALYZER_IDS = Object.keys(ANALYZER_CONTRACTS) as AnalyzerId[];

export function isAnalyzerId(v: unknown): v is AnalyzerId {
  return typeof v === 'string' && Object.hasOwn(ANALYZER_CONTRACTS, v);
}

export function contractOf<K extends AnalyzerId>(id: K): Contracts[K] {
  return ANALYZER_CONTRACTS[id];
}

/** The contracts as a list, for code that walks every analyzer (help text, validators). */
export const CONTRACT_LIST: readonly AnalyzerContract<AnalyzerId, JsonObject>[] = Object.values(ANALYZER_CONTRACTS);

/** One analyzer's result with its id, for code that treats every analyzer alike (tables, verdicts); read typed data with okData. */
export type ResultEntry = { id: AnalyzerId; result: AnyAnalyzerResult };

/** A file's results as (id, result) pairs in the order they ran; ids this build does not know are left out. */
export function resultEntries(results: AnalyzerResults): ResultEntry[] {
  const out: ResultEntry[] = [];
  for (const id of Object.keys(results)) {
    if (!isAnalyzerId(id)) continue;
    const result = results[id];
    if (result) out.push({ id, result });
  }
  return out;
}

/** The result of an analyzer named by a string from outside (a custody entry, a command line), if it is one. */
export function resultById(results: AnalyzerResults, id: string): AnyAnalyzerResult | undefined {
  return isAnalyzerId(id) ? results[id] : undefined;
}

/** The results map back from (id, result) pairs. */
export function resultsFrom(entries: readonly ResultEntry[]): AnalyzerResults {
  const out: AnalyzerResults = {};
  // Each result is stored under its own id, so the widened view is exact.
  const byId: Partial<Record<AnalyzerId, AnyAnalyzerResult>> = out;
  for (const e of entries) byId[e.id] = e.result;
  return out;
}

/** The `ok` data of one analyzer's result, or undefined when it did not run or did not succeed. */
export function okData<K extends AnalyzerId>(results: AnalyzerResults, id: K): AnalyzerDataMap[K] | undefined {
  const r = results[id] as ResultOf<K> | undefined;
  return r?.status === 'ok' ? r.data : undefined;
}

/**
 * Validate one analyzer's parameters against its contract: the one validator the runner, the CLI
 * and the IPC boundary share. The value is typed for that analyzer.
 */
export function validateParamsFor<K extends AnalyzerId>(id: K, input: ParamInput | undefined): ParamCheck<ParamsFor<K>> {
  // The table is this id's, so the validated value has this id's parameter types.
  return validateParams(id, ANALYZER_CONTRACTS[id].params, input) as ParamCheck<ParamsFor<K>>;
}

/** The analyzer ids whose contract runs models of `role` (models/manifest.json). */
export function analyzersUsingRole(role: string): AnalyzerId[] {
  return ANALYZER_IDS.filter((id) => ANALYZER_CONTRACTS[id].modelRoles.includes(role));
}

export type { AnalyzerContract } from './define.js';
export type * from './common.js';
export * from './metadata.js';
export * from './provenance.js';
export * from './ela.js';
export * from './jpeg.js';
export * from './faces.js';
export * from './liveness.js';
export * from './face-swap.js';
export * from './classifiers.js';
export * from './container.js';
export * from './video-faces.js';
export * from './synthetic.js';
