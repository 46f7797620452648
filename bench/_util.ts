/** Shared bench helpers: timing with warm-up, peak RSS of a child, ratio formatting. */
export async function timeIt(fn: () => Promise<unknown>, opts: { warmup?: number; runs?: number } = {}): Promise<{ medianMs: number; runs: number[] }> {
  for (let i = 0; i < (opts.warmup ?? 1); i++) await fn();
  const runs: number[] = [];
  for (let i = 0; i < (opts.runs ?? 5); i++) {
    const t0 = performance.now();
    await fn();
    runs.push(performance.now() - t0);
  }
  const sorted = [...runs].sort((a, b) => a - b);
  return { medianMs: sorted[Math.floor(sorted.length / 2)] ?? 0, runs };
}

export function ratioLine(label: string, ms: number, baselineLabel: string, baselineMs: number): string {
  const r = baselineMs / ms;
  return `${label}: ${ms.toFixed(1)} ms; ${baselineLabel}: ${baselineMs.toFixed(1)} ms; ratio ${r >= 1 ? `${r.toFixed(2)}x faster` : `${(1 / r).toFixed(2)}x slower`}`;
}
