import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, dialog, ipcMain, protocol, safeStorage, session, utilityProcess, type BrowserWindow, type WebContents } from 'electron';
import { IPC_EVENT_CHANNEL, type ApiEvent } from '../src/contract/api.js';
import { assertNever } from '../src/util/errors.js';
import { dataHome } from '../src/util/paths.js';
import { EngineClient, type DialogKind, type EngineChild, type FromEngine } from './engine-protocol.js';
import { createMainBackend } from './backend.js';
import { registerIpc } from './ipc.js';
import { PassphraseVault } from './passphrase.js';
import { hardenSession, hardenWebContents, installProtocol, registerPrivilegedScheme } from './security.js';
import { createMainWindow } from './window.js';

/**
 * Electron main: lifecycle, the window, dialogs, keys, and the engine host. The engine itself
 * runs in a utilityProcess (engine-host.ts); main only validates, routes and owns the UI chrome.
 */
const here = dirname(fileURLToPath(import.meta.url)); // <app>/dist/electron
const APP_ROOT = join(here, '..', '..');
const RENDERER_ROOT = join(APP_ROOT, 'renderer', 'dist');
const PRELOAD = join(here, 'preload.generated.cjs');
const ENGINE_HOST = join(here, 'engine-host.js');

// Before `ready`: privileged scheme, sandbox for every renderer, one instance.
registerPrivilegedScheme(protocol);
app.enableSandbox();
const primaryInstance = app.requestSingleInstanceLock();
if (!primaryInstance) app.quit();

let mainWindow: BrowserWindow | undefined;
const home = dataHome();
const vault = new PassphraseVault(join(home, 'keys', 'analyst.passphrase.safe'), {
  // Linux without a keyring falls back to a hard-coded key ("basic_text"): that is no protection.
  available: () =>
    safeStorage.isEncryptionAvailable() && (process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text'),
  encrypt: (s) => safeStorage.encryptString(s),
  decrypt: (b) => safeStorage.decryptString(b),
});

/**
 * In a packaged app the engine reads models and trust lists from app.asar.unpacked: real files,
 * so native code (ONNX external weights) can open them by path. An explicit setting wins.
 */
function engineEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  if (app.isPackaged && !env['VERILENS_RESOURCES']) env['VERILENS_RESOURCES'] = `${app.getAppPath()}.unpacked`;
  return env;
}

function spawnEngine(): EngineChild {
  const child = utilityProcess.fork(ENGINE_HOST, [], { serviceName: 'Verilens engine', stdio: 'inherit', env: engineEnv() });
  return {
    post: (m) => child.postMessage(m),
    onMessage: (l) => child.on('message', (m: unknown) => l(m as FromEngine)),
    onExit: (l) => child.on('exit', (code) => l(code)),
    kill: () => void child.kill(),
  };
}

async function showDialog(kind: DialogKind, defaultName?: string): Promise<string[] | string | null> {
  const win = mainWindow;
  if (!win) return kind === 'evidence' ? [] : null;
  switch (kind) {
    case 'evidence': {
      const r = await dialog.showOpenDialog(win, { title: 'Add evidence', properties: ['openFile', 'multiSelections', 'dontAddToRecent'] });
      return r.canceled ? [] : r.filePaths;
    }
    case 'report-destination': {
      const r = await dialog.showSaveDialog(win, {
        title: 'Export signed report',
        ...(defaultName ? { defaultPath: defaultName } : {}),
        filters: [{ name: 'PDF report', extensions: ['pdf'] }],
        properties: ['createDirectory', 'showOverwriteConfirmation', 'dontAddToRecent'],
      });
      return r.canceled || !r.filePath ? null : r.filePath;
    }
    case 'report-file': {
      const r = await dialog.showOpenDialog(win, {
        title: 'Verify a report',
        filters: [{ name: 'Verilens report', extensions: ['pdf', 'json'] }],
        properties: ['openFile', 'dontAddToRecent'],
      });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    }
    default:
      return assertNever(kind, 'dialog kind');
  }
}

function emitToUi(e: ApiEvent): void {
  const wc = mainWindow?.webContents;
  if (wc && !wc.isDestroyed()) wc.send(IPC_EVENT_CHANNEL, e);
}

const engine = new EngineClient({ spawn: spawnEngine, dialog: showDialog, emit: emitToUi });

const backend = createMainBackend({ engine, vault });

const isOurWindow = (wc: WebContents): boolean => mainWindow !== undefined && !mainWindow.isDestroyed() && wc === mainWindow.webContents;

app.on('web-contents-created', (_e, wc) => hardenWebContents(wc));
app.on('second-instance', () => {
  if (mainWindow?.isMinimized()) mainWindow.restore();
  mainWindow?.focus();
});
app.on('window-all-closed', () => app.quit());
// Quitting waits (up to 10 s) for the engine to cancel running jobs and close its case sessions.
let engineStopped = false;
app.on('before-quit', (event) => {
  if (engineStopped || !engine.running) return;
  event.preventDefault();
  void engine.shutdown(10_000).finally(() => {
    engineStopped = true;
    app.quit();
  });
});

void app.whenReady().then(() => {
  if (!primaryInstance) return;
  hardenSession(session.defaultSession);
  installProtocol(protocol, { rendererRoot: RENDERER_ROOT });
  registerIpc(ipcMain, isOurWindow, backend);
  // Start the engine host now so models are verified while the window paints.
  void engine.call('getAppInfo', []);
  mainWindow = createMainWindow(PRELOAD);
  mainWindow.on('closed', () => {
    mainWindow = undefined;
  });
});
