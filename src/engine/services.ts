import { ModelRegistry } from '../models/registry.js';

/**
 * Engine-wide services handed to analyzers. Extend this interface where a service is added
 * (e.g. verified model sessions); keep every member optional so analyzers that need one can
 * report `unavailable` when it is missing instead of crashing.
 */
export interface EngineServices {
  [name: string]: unknown;
  /** Verified ONNX model sessions (shipped models pinned by digest, organisation models signed). */
  models?: ModelRegistry;
}

export interface EngineServicesOptions {
  /** Extra models folder (`--models DIR`, or the app's setting); its models take precedence by id. */
  modelsDir?: string;
  /** Data folder with the trust store; default dataHome(). */
  home?: string;
  /** ONNX Runtime threads per session (default 1). */
  modelThreads?: number;
}

/**
 * The one way callers (CLI analyze, case store, UI API) build services. Cheap: nothing is read
 * until an analyzer asks for a model. Create it once per process (or per settings change) so the
 * session cache is shared by every file analysed.
 */
export function createEngineServices(opts: EngineServicesOptions = {}): EngineServices {
  return {
    models: new ModelRegistry({
      ...(opts.modelsDir ? { modelsDir: opts.modelsDir } : {}),
      ...(opts.home ? { home: opts.home } : {}),
      ...(opts.modelThreads ? { threads: opts.modelThreads } : {}),
    }),
  };
}
