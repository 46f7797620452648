import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { assertNever } from '../src/util/errors.js';

/**
 * The `verilens://` protocol, kept free of Electron so it can be tested as plain functions.
 * One host only: `verilens://app/<file>` serves the renderer build. Artifacts (heatmaps, crops)
 * reach the page through the `getArtifact` API call, re-hashed by the engine, like evidence images.
 * Nothing else resolves: no raw paths, no `..`, no encoded separators, no query tricks.
 */
export const SCHEME = 'verilens';
export const APP_ORIGIN = `${SCHEME}://app`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

export type ProtocolTarget = { kind: 'app'; file: string } | { kind: 'refused'; status: 400 | 403 | 404; reason: string };

const APP_MIME: Readonly<Record<string, string>> = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
});
// One path segment of the renderer build: letters, digits, . _ - only, never starting with a dot.
const SEGMENT_RE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

const refused = (status: 400 | 403 | 404, reason: string): ProtocolTarget => ({ kind: 'refused', status, reason });

/** Map a request URL to what may be served; anything unexpected is refused with a reason. */
export function parseVerilensUrl(raw: string): ProtocolTarget {
  if (typeof raw !== 'string' || raw.length > 2048) return refused(400, 'URL missing or too long');
  // Reject encoded separators, dots and NULs before the URL parser normalises them away.
  if (/%(2e|2f|5c|00)/i.test(raw) || raw.includes('\\') || raw.includes('\u0000'))
    return refused(403, 'encoded or backslash path characters');
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return refused(400, 'not a URL');
  }
  if (u.protocol !== `${SCHEME}:`) return refused(403, `scheme ${u.protocol} is not served`);
  if (u.username || u.password || u.port) return refused(403, 'credentials or port in URL');
  // The raw path is checked too: WHATWG parsing would silently resolve `a/../b`.
  const rawPath = raw
    .slice(raw.indexOf('//') + 2)
    .replace(/^[^/?#]*/, '')
    .replace(/[?#].*$/, '');
  if (rawPath.split('/').some((s) => s === '..' || s === '.')) return refused(403, 'dot segments');
  switch (u.host) {
    case 'app': {
      const rel = u.pathname === '/' ? 'index.html' : u.pathname.slice(1);
      const segments = rel.split('/');
      if (segments.length > 4 || !segments.every((s) => SEGMENT_RE.test(s))) return refused(403, 'not a renderer file name');
      if (!APP_MIME[extname(rel).toLowerCase()]) return refused(403, 'file type not served');
      return { kind: 'app', file: rel };
    }
    default:
      return refused(404, `unknown host '${u.host}'`);
  }
}

/** Absolute path of a renderer file under `root`; null if it would escape (defence in depth). */
export function appFilePath(root: string, file: string): string | null {
  const base = resolve(root);
  const p = resolve(base, file);
  return p.startsWith(base + sep) ? p : null;
}

export function appMime(file: string): string {
  return APP_MIME[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export interface ProtocolReply {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | string;
}

export interface ProtocolSources {
  /** Folder holding the Vite build (index.html, assets/). */
  rendererRoot: string;
  /** Headers added to every reply (security.ts passes the CSP and friends). */
  headers: Readonly<Record<string, string>>;
}

/** Serve one `verilens://` request. Never throws: failures are plain-text error replies. */
export async function serveVerilens(url: string, method: string, src: ProtocolSources): Promise<ProtocolReply> {
  const reply = (
    status: number,
    body: Uint8Array | string,
    type = 'text/plain; charset=utf-8',
    extra: Record<string, string> = {},
  ): ProtocolReply => ({
    status,
    headers: { ...src.headers, 'content-type': type, ...extra },
    body,
  });
  if (method !== 'GET' && method !== 'HEAD') return reply(405, 'method not allowed');
  const t = parseVerilensUrl(url);
  try {
    switch (t.kind) {
      case 'refused':
        return reply(t.status, t.reason);
      case 'app': {
        const p = appFilePath(src.rendererRoot, t.file);
        if (!p) return reply(403, 'outside the renderer build');
        const data = await readFile(p).catch(() => null);
        return data ? reply(200, data, appMime(t.file)) : reply(404, 'not found');
      }
      default:
        return assertNever(t, 'protocol target');
    }
  } catch {
    return reply(500, 'could not read the requested file');
  }
}
