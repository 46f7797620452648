import { readdirSync, readFileSync } from 'node:fs';

/** ffmpeg/ffprobe processes (any parent, orphans included) whose command line mentions `needle`. */
export function mediaProcessesMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (/ff(mpeg|probe)$/.test(cmd[0] ?? '') && cmd.some((a) => a.includes(needle))) out.push(Number(name));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** Poll `check` every 50 ms until it holds or `ms` have passed; the last answer is returned. */
export async function eventually(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}
