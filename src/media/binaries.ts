import { accessSync, constants as fsc, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { sep } from 'node:path';
import { VerilensError } from '../util/errors.js';

export type MediaTool = 'ffmpeg' | 'ffprobe';

/** Environment variables that point at a specific binary (packaged apps, air-gapped installs, tests). */
export const TOOL_ENV: Readonly<Record<MediaTool, string>> = Object.freeze({ ffmpeg: 'VERILENS_FFMPEG', ffprobe: 'VERILENS_FFPROBE' });

const INSTALLER: Readonly<Record<MediaTool, string>> = Object.freeze({ ffmpeg: '@ffmpeg-installer/ffmpeg', ffprobe: '@ffprobe-installer/ffprobe' });

/**
 * A packaged Electron app keeps node_modules inside `app.asar`, but a binary cannot be executed
 * from inside an archive: electron-builder unpacks it to `app.asar.unpacked`. The installer
 * packages report the in-archive path, so map it. Only a whole `app.asar` path segment is replaced.
 */
export function unpackedAsarPath(p: string, separator: string = sep): string {
  const seg = `${separator}app.asar${separator}`;
  const i = p.indexOf(seg);
  if (i < 0) return p;
  return `${p.slice(0, i)}${separator}app.asar.unpacked${separator}${p.slice(i + seg.length)}`;
}

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, process.platform === 'win32' ? fsc.R_OK : fsc.X_OK);
    return true;
  } catch {
    return false;
  }
}

const requireHere = createRequire(import.meta.url);

/** The path the npm installer package reports (it throws a string when its platform package is missing). */
function installerPath(tool: MediaTool): string {
  let mod: unknown;
  try {
    mod = requireHere(INSTALLER[tool]);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new VerilensError('media-tool-missing', `${tool} is not available: ${INSTALLER[tool]} could not be loaded (${why}); set ${TOOL_ENV[tool]} to the path of a ${tool} binary`);
  }
  const p = typeof mod === 'object' && mod !== null ? (mod as { path?: unknown }).path : undefined;
  if (typeof p !== 'string' || !p) throw new VerilensError('media-tool-missing', `${INSTALLER[tool]} did not report a ${tool} path; set ${TOOL_ENV[tool]}`);
  return p;
}

const cache = new Map<string, string>();

/**
 * Absolute path of the ffmpeg or ffprobe binary to run: `VERILENS_FFMPEG` / `VERILENS_FFPROBE`
 * when set, otherwise the static build shipped by the npm installer package (mapped out of
 * `app.asar` in a packaged app). Never falls back to whatever is on PATH, so results are
 * reproducible with the exact binary recorded in the results.
 */
export function mediaToolPath(tool: MediaTool, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const override = env[TOOL_ENV[tool]];
  const key = `${tool}\0${override ?? ''}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let p: string;
  if (override) {
    if (!isExecutableFile(override)) throw new VerilensError('media-tool-missing', `${TOOL_ENV[tool]} points at ${override}, which is not an executable file`);
    p = override;
  } else {
    const reported = installerPath(tool);
    const unpacked = unpackedAsarPath(reported);
    if (isExecutableFile(unpacked)) p = unpacked;
    else if (isExecutableFile(reported)) p = reported;
    else throw new VerilensError('media-tool-missing', `${tool} binary not found or not executable at ${unpacked}; set ${TOOL_ENV[tool]} to the path of a ${tool} binary`);
  }
  cache.set(key, p);
  return p;
}
