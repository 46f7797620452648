import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { API_METHODS, IPC_INVOKE_PREFIX, validateCall, type ApiMethod, type ApiResult } from '../src/contract/api.js';
import type { ErrorInfo } from '../src/contract/results.js';
import { APP_ORIGIN } from './protocol.js';

/**
 * Main's side of the bridge: one `ipcMain.handle` per API method, generated from API_METHODS.
 * Every call is checked twice before it reaches the engine: the sender must be the top frame of
 * our own window showing verilens://app, and every argument must pass the contract's validators.
 * The reply is always `{ok, value}` or `{ok:false, error}`; nothing throws across IPC.
 */

/** What main knows about who sent a call (read from the IPC event; plain data so it can be tested). */
export interface SenderInfo {
  /** URL of the frame that sent the message; null when the frame is gone. */
  frameUrl: string | null;
  /** The frame is its page's top frame (not an iframe). */
  isTopFrame: boolean;
  /** The page belongs to a window main created. */
  isOurWindow: boolean;
}

export interface IpcBackend {
  /** Run a validated call (engine host, with main-side steps such as dialogs). */
  call(method: ApiMethod, args: readonly unknown[]): Promise<ApiResult<unknown>>;
}

/** Null when the sender may call the API, otherwise why not. */
export function checkSender(s: SenderInfo): ErrorInfo | null {
  const deny = (why: string): ErrorInfo => ({ code: 'forbidden-sender', message: `IPC call refused: ${why}` });
  if (!s.isOurWindow) return deny('the sender is not a Verilens window');
  if (!s.isTopFrame) return deny('the sender is not the top frame');
  if (s.frameUrl === null) return deny('the sending frame no longer exists');
  let u: URL;
  try {
    u = new URL(s.frameUrl);
  } catch {
    return deny('the sender has no valid URL');
  }
  if (`${u.protocol}//${u.host}` !== APP_ORIGIN) return deny(`the sender is not ${APP_ORIGIN} (${u.protocol}//${u.host})`);
  return null;
}

/** Check the sender and the arguments, then run the call. Never throws. */
export async function dispatchIpc(backend: IpcBackend, sender: SenderInfo, method: unknown, args: unknown): Promise<ApiResult<unknown>> {
  try {
    const denied = checkSender(sender);
    if (denied) return { ok: false, error: denied };
    const bad = validateCall(method, args);
    if (bad) return { ok: false, error: bad };
    const r = await backend.call(method as ApiMethod, args as unknown[]);
    if (typeof r !== 'object' || r === null || typeof r.ok !== 'boolean')
      return { ok: false, error: { code: 'internal', message: `${String(method)}: the engine gave no result` } };
    return r;
  } catch (err) {
    return { ok: false, error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } };
  }
}

/** Read the sender facts from an Electron IPC event. */
export function senderOf(event: IpcMainInvokeEvent, isOurWindow: (wc: WebContents) => boolean): SenderInfo {
  let frame: IpcMainInvokeEvent['senderFrame'] = null;
  try {
    frame = event.senderFrame;
  } catch {
    frame = null; // accessing a destroyed frame throws
  }
  return {
    frameUrl: frame ? frame.url : null,
    isTopFrame: frame !== null && frame.parent === null && frame === event.sender.mainFrame,
    isOurWindow: isOurWindow(event.sender),
  };
}

/** Channel name for a method (the generated preload uses the same rule). */
export const channelOf = (m: ApiMethod): string => `${IPC_INVOKE_PREFIX}${m}`;

/** Register one handler per API method; returns a function that removes them. */
export function registerIpc(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  isOurWindow: (wc: WebContents) => boolean,
  backend: IpcBackend,
): () => void {
  for (const m of API_METHODS) {
    ipcMain.handle(channelOf(m), (event, ...args: unknown[]) => dispatchIpc(backend, senderOf(event, isOurWindow), m, args));
  }
  return () => {
    for (const m of API_METHODS) ipcMain.removeHandler(channelOf(m));
  };
}
