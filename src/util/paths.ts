import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Verilens's data folder (keys, trust store, default case folder, settings).
 * `VERILENS_HOME` overrides it (tests, portable installs); otherwise the platform's user data folder.
 */
export function dataHome(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const override = env['VERILENS_HOME'];
  if (override) return override;
  const home = homedir();
  switch (process.platform) {
    case 'win32':
      return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), 'Verilens');
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'Verilens');
    default:
      return join(env['XDG_DATA_HOME'] ?? join(home, '.local', 'share'), 'verilens');
  }
}
