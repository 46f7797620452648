import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { ROOT } from '../helpers.js';
import { CONTENT_SECURITY_POLICY, hardenSession, hardenWebContents, isRequestAllowed, SECURITY_HEADERS } from '../../electron/security.js';

/**
 * The Electron security checklist, checked on the source itself: the one webPreferences literal
 * (parsed with the TypeScript compiler, so what is asserted is what ships), the CSP, the offline
 * request filter and the deny-everything handlers (run against recording stand-ins for the
 * session and page objects Electron would pass).
 */
const ELECTRON_DIR = join(ROOT, 'electron');

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}
function walk(node: ts.Node, visit: (n: ts.Node) => void): void {
  visit(node);
  node.forEachChild((c) => walk(c, visit));
}
const sources = (): ts.SourceFile[] =>
  readdirSync(ELECTRON_DIR)
    .filter((f) => /\.c?ts$/.test(f))
    .map((f) => parse(join(ELECTRON_DIR, f)));

type Literal = boolean | string | { expr: string };
function literalValue(e: ts.Expression): Literal {
  if (e.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (e.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  return { expr: e.getText() };
}

function cspDirectives(csp: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) m.set(name, values);
  }
  return m;
}

describe('Electron security: static checks on electron/', () => {
  it('has exactly one webPreferences literal, in window.ts, with every checklist value', () => {
    const found: { file: string; props: Map<string, Literal> }[] = [];
    for (const sf of sources()) {
      walk(sf, (n) => {
        if (ts.isPropertyAssignment(n) && n.name.getText() === 'webPreferences') {
          assert.ok(ts.isObjectLiteralExpression(n.initializer), `${sf.fileName}: webPreferences must be an object literal`);
          const props = new Map<string, Literal>();
          for (const p of n.initializer.properties) {
            assert.ok(ts.isPropertyAssignment(p), `${sf.fileName}: no spreads or shorthands in webPreferences (${p.getText()})`);
            props.set(p.name.getText(), literalValue(p.initializer));
          }
          found.push({ file: sf.fileName, props });
        }
      });
    }
    assert.equal(found.length, 1, `one webPreferences literal, found in ${found.map((f) => f.file).join(', ')}`);
    const [{ file, props }] = found as [(typeof found)[0]];
    assert.match(file, /electron[\\/]window\.ts$/);
    assert.equal(props.get('contextIsolation'), true);
    assert.equal(props.get('sandbox'), true);
    assert.equal(props.get('nodeIntegration'), false);
    assert.equal(props.get('nodeIntegrationInWorker'), false);
    assert.equal(props.get('nodeIntegrationInSubFrames'), false);
    assert.equal(props.get('webSecurity'), true);
    assert.equal(props.get('allowRunningInsecureContent'), false);
    assert.equal(props.get('experimentalFeatures'), false);
    assert.equal(props.get('webviewTag'), false);
    assert.equal(props.get('navigateOnDragDrop'), false);
    assert.ok(!props.has('enableBlinkFeatures'), 'no Blink features switched on');
    assert.equal(props.get('disableBlinkFeatures'), 'Auxclick');
    assert.deepEqual(props.get('preload'), { expr: 'preloadPath' });
    assert.deepEqual(props.get('devTools'), { expr: '!app.isPackaged' }, 'DevTools only in development');
  });

  it('creates windows only in window.ts and never loads file:// or remote URLs', () => {
    for (const sf of sources()) {
      walk(sf, (n) => {
        if (ts.isNewExpression(n) && n.expression.getText() === 'BrowserWindow')
          assert.match(sf.fileName, /window\.ts$/, `new BrowserWindow outside window.ts: ${sf.fileName}`);
        if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
          const name = n.expression.name.text;
          assert.ok(name !== 'loadFile', `${sf.fileName}: loadFile (file://) is not used; the UI is served by verilens://`);
          assert.ok(name !== 'openExternal', `${sf.fileName}: shell.openExternal is not allowed`);
          if (name === 'loadURL') assert.equal(n.arguments[0]?.getText(), 'APP_ENTRY', `${sf.fileName}: loadURL only loads the app entry`);
        }
        if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n))
          assert.doesNotMatch(n.text, /^(https?|wss?|ftp|file):\/\//, `${sf.fileName}: no remote or file URL literals (${n.text})`);
      });
    }
  });

  it('main wires every protection: scheme before ready, sandbox for all renderers, session, protocol, IPC, every page', () => {
    const sf = parse(join(ELECTRON_DIR, 'main.ts'));
    const topLevel: string[] = [];
    const inReady: string[] = [];
    for (const st of sf.statements) {
      if (!ts.isExpressionStatement(st) && !ts.isVariableStatement(st) && !ts.isIfStatement(st)) continue;
      const text = st.getText();
      if (/app\.whenReady\(\)/.test(text)) {
        walk(st, (n) => {
          if (ts.isCallExpression(n)) inReady.push(n.expression.getText());
        });
      } else {
        walk(st, (n) => {
          if (ts.isCallExpression(n)) topLevel.push(n.expression.getText());
        });
      }
    }
    // Before ready (top level): these must run before the app is ready to take effect.
    for (const call of ['registerPrivilegedScheme', 'app.enableSandbox', 'app.requestSingleInstanceLock'])
      assert.ok(topLevel.includes(call), `top level calls ${call}`);
    // Every page, including any a bug might create, is hardened.
    assert.match(sf.getText(), /app\.on\('web-contents-created', \(_e, wc\) => hardenWebContents\(wc\)\)/);
    for (const call of ['hardenSession', 'installProtocol', 'registerIpc', 'createMainWindow'])
      assert.ok(inReady.includes(call), `ready handler calls ${call}`);
    assert.ok(inReady.indexOf('hardenSession') < inReady.indexOf('createMainWindow'), 'the session is hardened before the window loads');
    assert.doesNotMatch(sf.getText(), /registerFileProtocol|interceptFileProtocol|bypassCSP:\s*true|webSecurity:\s*false/);
  });

  it('sends a strict CSP that matches the renderer and forbids inline and eval', () => {
    const sf = parse(join(ELECTRON_DIR, 'security.ts'));
    let declared: string | undefined;
    walk(sf, (n) => {
      if (
        ts.isVariableDeclaration(n) &&
        n.name.getText() === 'CONTENT_SECURITY_POLICY' &&
        n.initializer &&
        ts.isStringLiteral(n.initializer)
      )
        declared = n.initializer.text;
    });
    assert.equal(declared, CONTENT_SECURITY_POLICY, 'the CSP is one string literal in security.ts');
    const d = cspDirectives(CONTENT_SECURITY_POLICY);
    assert.deepEqual(d.get('default-src'), ["'none'"]);
    assert.deepEqual(d.get('script-src'), ["'self'"]);
    assert.deepEqual(d.get('style-src'), ["'self'"]);
    assert.deepEqual(d.get('img-src'), ["'self'", 'data:', 'blob:']);
    assert.deepEqual(d.get('frame-ancestors'), ["'none'"]);
    assert.deepEqual(d.get('object-src'), ["'none'"]);
    assert.deepEqual(d.get('base-uri'), ["'none'"]);
    assert.deepEqual(d.get('form-action'), ["'none'"]);
    assert.ok(!d.has('connect-src'), 'no connect-src: default-src none forbids fetch/XHR/WebSocket');
    assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-|\*|https?:|wss?:/);
    // Every directive the renderer's own meta CSP declares is sent identically in the header.
    const html = readFileSync(join(ROOT, 'renderer', 'index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    assert.ok(meta, 'renderer/index.html declares a CSP');
    for (const [k, v] of cspDirectives(meta)) assert.deepEqual(d.get(k), v, `header and meta agree on ${k}`);
    assert.equal(SECURITY_HEADERS['content-security-policy'], CONTENT_SECURITY_POLICY);
    assert.equal(SECURITY_HEADERS['x-content-type-options'], 'nosniff');
  });

  it('blocks every network scheme, even to localhost, and lets only the app scheme, data: and blob: through', () => {
    const blocked = [
      'http://127.0.0.1:8080/',
      'https://example.com/x.js',
      'http://localhost/',
      'ws://127.0.0.1:9229/',
      'wss://example.com/socket',
      'ftp://example.com/file',
      'file:///etc/passwd',
      'chrome-extension://abc/x.js',
      'javascript:alert(1)',
      'not a url',
    ];
    for (const u of blocked) assert.equal(isRequestAllowed(u), false, u);
    for (const u of [
      'verilens://app/index.html',
      'verilens://artifact/' + 'a'.repeat(64),
      'data:image/png;base64,AA==',
      'blob:verilens://app/1234',
    ])
      assert.equal(isRequestAllowed(u), true, u);
  });

  it('wires the session: request filter, CSP on every response, deny-all permissions, no downloads', () => {
    type Cb = (...a: unknown[]) => unknown;
    const h: Record<string, Cb> = {};
    const ses = {
      webRequest: {
        onBeforeRequest: (fn: Cb) => (h['beforeRequest'] = fn),
        onHeadersReceived: (fn: Cb) => (h['headers'] = fn),
      },
      setPermissionRequestHandler: (fn: Cb) => (h['permissionRequest'] = fn),
      setPermissionCheckHandler: (fn: Cb) => (h['permissionCheck'] = fn),
      setDevicePermissionHandler: (fn: Cb) => (h['device'] = fn),
      setDisplayMediaRequestHandler: (fn: Cb) => (h['display'] = fn),
      on: (name: string, fn: Cb) => (h[`on:${name}`] = fn),
    };
    hardenSession(ses as unknown as Parameters<typeof hardenSession>[0]);
    const decisions: unknown[] = [];
    h['beforeRequest']!({ url: 'https://example.com/' }, (r: unknown) => decisions.push(r));
    h['beforeRequest']!({ url: 'verilens://app/index.html' }, (r: unknown) => decisions.push(r));
    assert.deepEqual(decisions, [{ cancel: true }, { cancel: false }]);
    let headers: Record<string, string[]> = {};
    h['headers']!(
      {
        url: 'verilens://app/index.html',
        responseHeaders: { 'content-security-policy': ['default-src *'], 'Content-Type': ['text/html'] },
      },
      (r: { responseHeaders: Record<string, string[]> }) => {
        headers = r.responseHeaders;
      },
    );
    assert.deepEqual(headers, { 'Content-Type': ['text/html'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
    let devtools: unknown;
    h['headers']!({ url: 'devtools://devtools/bundled/inspector.html', responseHeaders: {} }, (r: unknown) => (devtools = r));
    assert.deepEqual(devtools, {}, 'DevTools keeps its own headers');
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
      let granted: unknown = 'unset';
      h['permissionRequest']!({}, p, (g: boolean) => (granted = g));
      assert.equal(granted, false, p);
      assert.equal(h['permissionCheck']!({}, p), false, p);
    }
    assert.equal(h['device']!({ deviceType: 'usb' }), false);
    let display: unknown;
    h['display']!({}, (s: unknown) => (display = s));
    assert.deepEqual(display, {});
    let prevented = false;
    h['on:will-download']!({ preventDefault: () => (prevented = true) });
    assert.ok(prevented);
  });

  it('denies navigation, redirects, webviews and new windows on every page', () => {
    type Cb = (...a: unknown[]) => unknown;
    const h: Record<string, Cb> = {};
    let openHandler: Cb | undefined;
    const wc = { on: (name: string, fn: Cb) => (h[name] = fn), setWindowOpenHandler: (fn: Cb) => (openHandler = fn) };
    hardenWebContents(wc as unknown as Parameters<typeof hardenWebContents>[0]);
    for (const ev of ['will-navigate', 'will-frame-navigate', 'will-redirect', 'will-attach-webview']) {
      let prevented = false;
      assert.ok(h[ev], `${ev} is handled`);
      h[ev]!({ preventDefault: () => (prevented = true), url: 'https://example.com/', isMainFrame: true });
      assert.ok(prevented, `${ev} is prevented`);
    }
    assert.deepEqual(openHandler?.({ url: 'https://example.com/' }), { action: 'deny' });
    assert.deepEqual(openHandler?.({ url: 'verilens://app/index.html' }), { action: 'deny' });
  });
});
