import { readFileSync } from 'node:fs';

/**
 * Peak resident set size of this process, in KiB. On Linux this reads VmHWM from
 * /proc/self/status: getrusage's maxRSS (process.resourceUsage().maxRSS) keeps the high-water mark
 * of the parent's address space across fork+exec, so a child spawned by a large process would
 * report the parent's peak. Elsewhere it falls back to maxRSS.
 */
export function peakRssKiB(): number {
  try {
    const m = readFileSync('/proc/self/status', 'utf8').match(/^VmHWM:\s+(\d+)\s+kB/m);
    if (m) return Number(m[1]);
  } catch {
    /* not Linux */
  }
  return process.resourceUsage().maxRSS;
}
