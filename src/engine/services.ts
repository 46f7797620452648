/**
 * Engine-wide services handed to analyzers. Extend this interface where a service is added
 * (e.g. verified model sessions); keep every member optional so analyzers that need one can
 * report `unavailable` when it is missing instead of crashing.
 */
export interface EngineServices {
  [name: string]: unknown;
}
