import type { Protocol, Session, WebContents } from 'electron';
import { SCHEME, serveVerilens, type ProtocolSources } from './protocol.js';

/**
 * Electron's security checklist, applied in one place: the CSP header, the offline request
 * filter, deny-all permissions, no navigation, no new windows, no webviews, no downloads, and
 * the privileged `verilens://` scheme that replaces file://. Electron is only used through the
 * objects main passes in, so this module loads without the Electron binary.
 */

/** The renderer's policy (index.html declares the same); sent as a header on every response. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; img-src 'self' data: blob:; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";

export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
});

/** Schemes a page may load at all. Everything else (http, https, ws, wss, ftp, file...) is cancelled: the app is offline. */
const ALLOWED_REQUEST_SCHEMES: readonly string[] = [`${SCHEME}:`, 'data:', 'blob:', 'devtools:'];

/** True when a request may proceed. Network schemes are refused outright, whatever the host (even localhost). */
export function isRequestAllowed(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return ALLOWED_REQUEST_SCHEMES.includes(u.protocol);
}

/** Scheme privileges; must run before the app's `ready` event. Not bypassing CSP. */
export function registerPrivilegedScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, bypassCSP: false, corsEnabled: false, stream: false },
    },
  ]);
}

/** Serve `verilens://app` from the renderer build. */
export function installProtocol(protocol: Pick<Protocol, 'handle'>, sources: Omit<ProtocolSources, 'headers'>): void {
  protocol.handle(SCHEME, async (request) => {
    const r = await serveVerilens(request.url, request.method, { ...sources, headers: SECURITY_HEADERS });
    const body = r.status === 200 && request.method === 'GET' ? r.body : r.status === 200 ? null : r.body;
    return new Response(typeof body === 'string' || body === null ? body : new Uint8Array(body), { status: r.status, headers: r.headers });
  });
}

/** Session-wide policy: offline request filter, CSP on every response, deny every permission, no downloads. */
export function hardenSession(ses: Session): void {
  ses.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !isRequestAllowed(details.url) });
  });
  ses.webRequest.onHeadersReceived((details, callback) => {
    // DevTools (development runs only) brings its own policy; everything else gets ours.
    if (details.url.startsWith('devtools:')) return callback({});
    const responseHeaders: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(details.responseHeaders ?? {})) {
      if (k.toLowerCase() !== 'content-security-policy') responseHeaders[k] = v;
    }
    responseHeaders['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
    callback({ responseHeaders });
  });
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  ses.setDisplayMediaRequestHandler((_req, callback) => callback({}));
  ses.on('will-download', (event) => event.preventDefault());
}

/** Per-page policy: the page stays on verilens://app, opens nothing, embeds nothing. */
export function hardenWebContents(wc: WebContents): void {
  wc.on('will-navigate', (event) => event.preventDefault());
  wc.on('will-frame-navigate', (event) => event.preventDefault());
  wc.on('will-redirect', (event) => event.preventDefault());
  wc.on('will-attach-webview', (event) => event.preventDefault());
  wc.setWindowOpenHandler(() => ({ action: 'deny' }));
}
