/** Limits applied at intake. Defaults stop decompression bombs while accepting 200 MP phone photos. */
export interface Limits {
  /** Largest image file accepted, in bytes. */
  maxImageBytes: number;
  /** Largest video file accepted, in bytes. */
  maxVideoBytes: number;
  /** Largest decoded image accepted, in pixels (width x height x pages). */
  maxPixels: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxImageBytes: 256 * 1024 * 1024,
  maxVideoBytes: 4 * 1024 * 1024 * 1024,
  maxPixels: 200_000_000,
});

export function resolveLimits(partial?: Partial<Limits>): Limits {
  const out = { ...DEFAULT_LIMITS, ...(partial ?? {}) };
  for (const [k, v] of Object.entries(out)) {
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`limit ${k} must be a positive number, got ${String(v)}`);
  }
  return out;
}
