import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The folder holding Verilens's package.json. Data shipped with the engine (models/, trust lists)
 * is found from here, so it resolves the same way from src/ under tsx, from dist/, and from a
 * packaged app (where `VERILENS_RESOURCES` may point at the unpacked resources instead).
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'verilens') return (cached = dir);
      } catch {
        /* keep walking */
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the Verilens package root');
    dir = up;
  }
}

/** Where shipped resources live: VERILENS_RESOURCES (packaged app, unpacked from asar) or the package root. */
export function resourcesRoot(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env['VERILENS_RESOURCES'] ?? packageRoot();
}
