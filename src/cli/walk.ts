import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Expand the inputs: files stay as given, folders are walked recursively in sorted order.
 * Symlinked folders are followed once (a loop is not walked twice). Missing paths are kept so
 * that they produce a per-file error rather than vanishing silently.
 */
export async function expandInputs(inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const seenDirs = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    const real = await realpath(dir).catch(() => dir);
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    const entries = await readdir(dir).catch(() => [] as string[]);
    entries.sort();
    for (const name of entries) {
      const p = join(dir, name);
      const st = await stat(p).catch(() => null);
      if (!st) {
        // Dangling link or a file that vanished: keep it so the user sees why.
        if (await lstat(p).catch(() => null)) out.push(p);
        continue;
      }
      if (st.isDirectory()) await walk(p);
      else if (st.isFile()) out.push(p);
    }
  };
  for (const input of inputs) {
    const st = await stat(input).catch(() => null);
    if (st?.isDirectory()) await walk(input);
    else out.push(input);
  }
  return out;
}
