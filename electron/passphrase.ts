import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The analyst key's passphrase wrapped with the OS keychain (Electron `safeStorage`: Keychain,
 * DPAPI, libsecret/kwallet), so the desktop app can sign without asking every time. The key file
 * itself stays scrypt + AES-GCM encrypted exactly as the CLI writes it; this only stores the
 * passphrase, and only when the OS offers real protection (never Linux's "basic_text" fallback).
 */
export interface KeychainCipher {
  /** True only when encryption is backed by the OS keychain. */
  available(): boolean;
  encrypt(plain: string): Buffer;
  decrypt(wrapped: Buffer): string;
}

export class PassphraseVault {
  constructor(
    private readonly file: string,
    private readonly cipher: KeychainCipher,
  ) {}

  /** The remembered passphrase, or null (none stored, keychain unavailable, or unreadable). */
  async recall(): Promise<string | null> {
    if (!this.cipher.available()) return null;
    const wrapped = await readFile(this.file).catch(() => null);
    if (!wrapped || wrapped.length === 0) return null;
    try {
      return this.cipher.decrypt(wrapped);
    } catch {
      return null; // keychain entry changed (another user, reinstalled OS): ask again
    }
  }

  /** Store the passphrase wrapped; a no-op without keychain protection. */
  async remember(passphrase: string): Promise<boolean> {
    if (!passphrase || !this.cipher.available()) return false;
    await mkdir(dirname(this.file), { recursive: true });
    await writeFile(this.file, this.cipher.encrypt(passphrase), { mode: 0o600 });
    await chmod(this.file, 0o600).catch(() => undefined);
    return true;
  }

  async forget(): Promise<void> {
    await rm(this.file, { force: true });
  }
}
