import type { ApiMethod, ApiResult } from '../src/contract/api.js';
import type { IpcBackend } from './ipc.js';

export interface MainBackendDeps {
  /** The engine host (validated calls only reach it). */
  engine: IpcBackend;
  /** The keychain-wrapped passphrase store. */
  vault: { recall(): Promise<string | null>; remember(passphrase: string): Promise<boolean> };
}

/**
 * Main's own steps around the engine: an empty passphrase on export means "use the one the
 * keychain holds" (refused when there is none, so a key is never created without one); a
 * successful export remembers the passphrase.
 */
export function createMainBackend({ engine, vault }: MainBackendDeps): IpcBackend {
  return {
    async call(method: ApiMethod, args: readonly unknown[]): Promise<ApiResult<unknown>> {
      let a = args;
      if (method === 'exportReport' && a[2] === '') {
        const remembered = await vault.recall();
        if (remembered === null)
          return {
            ok: false,
            error: { code: 'passphrase-required', message: 'Enter the passphrase of your signing key to export the report.' },
          };
        a = [a[0], a[1], remembered];
      }
      const r = await engine.call(method, a);
      if (r.ok && method === 'exportReport' && r.value !== null && typeof a[2] === 'string') await vault.remember(a[2]).catch(() => false);
      return r;
    },
  };
}
