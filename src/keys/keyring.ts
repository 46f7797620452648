import { createCipheriv, createDecipheriv, createPublicKey, randomBytes, scryptSync, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/durable.js';
import { VerilensError } from '../util/errors.js';
import { fingerprintOf, generateEd25519, privateKeyFromDer, publicKeyFromPem, publicKeyPem, shortFingerprint } from './ed25519.js';

/**
 * The analyst's own Ed25519 key pair. The private key is encrypted at rest with AES-256-GCM under
 * a key derived from a passphrase with scrypt (the CLI); the Electron app may instead wrap the
 * passphrase with the OS keychain (safeStorage). Files: `<home>/keys/analyst.key.json`, `analyst.pub.pem`.
 */
export interface EncryptedKeyFile {
  format: 'verilens-ed25519-key';
  version: 1;
  analyst: string;
  created: string;
  fingerprint: string;
  publicKeyPem: string;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  cipher: { name: 'aes-256-gcm'; iv: string; tag: string };
  /** PKCS#8 DER of the private key, encrypted, base64. */
  ciphertext: string;
}

export interface AnalystKey {
  analyst: string;
  fingerprint: string;
  shortFingerprint: string;
  publicKey: KeyObject;
  privateKey: KeyObject;
  publicKeyPem: string;
}

/** OWASP's minimum for scrypt; key files made with the earlier N 2^15 still open (MIN_N). */
const SCRYPT = { N: 1 << 17, r: 8, p: 1 } as const;
const MIN_N = 1 << 15;

function derive(passphrase: string, salt: Buffer, p: { N: number; r: number; p: number }): Buffer {
  return scryptSync(passphrase.normalize('NFC'), salt, 32, { N: p.N, r: p.r, p: p.p, maxmem: 256 * 1024 * 1024 });
}

export function keysDir(home: string): string {
  return join(home, 'keys');
}

export function encryptKeyPair(
  analyst: string,
  pair: { publicKey: KeyObject; privateKey: KeyObject },
  passphrase: string,
  created: string,
  kdf: { N: number; r: number; p: number } = SCRYPT,
): EncryptedKeyFile {
  if (passphrase.length < 8) throw new VerilensError('weak-passphrase', 'the key passphrase must have at least 8 characters');
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = derive(passphrase, salt, kdf);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`verilens-ed25519-key:${analyst}`));
  const der = pair.privateKey.export({ type: 'pkcs8', format: 'der' });
  const ciphertext = Buffer.concat([cipher.update(der), cipher.final()]);
  return {
    format: 'verilens-ed25519-key',
    version: 1,
    analyst,
    created,
    fingerprint: fingerprintOf(pair.publicKey),
    publicKeyPem: publicKeyPem(pair.publicKey),
    kdf: { name: 'scrypt', N: kdf.N, r: kdf.r, p: kdf.p, salt: salt.toString('base64') },
    cipher: { name: 'aes-256-gcm', iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64') },
    ciphertext: ciphertext.toString('base64'),
  };
}

const b64 = (v: unknown): boolean => typeof v === 'string' && v.length > 0 && v.length < 4096;

/** The file's own KDF parameters are only honoured within sane bounds: a tampered file must not pick a weak or a ruinous KDF. */
function checkKeyFileShape(file: EncryptedKeyFile, source: string): void {
  const f = file as unknown as Record<string, unknown> | null;
  const kdf = f?.['kdf'] as Record<string, unknown> | undefined;
  const cipher = f?.['cipher'] as Record<string, unknown> | undefined;
  const n = kdf?.['N'];
  const ok =
    typeof f === 'object' && f !== null &&
    typeof f['analyst'] === 'string' && typeof f['publicKeyPem'] === 'string' && typeof f['fingerprint'] === 'string' && b64(f['ciphertext']) &&
    typeof kdf === 'object' && kdf !== null && kdf['name'] === 'scrypt' && b64(kdf['salt']) &&
    typeof n === 'number' && Number.isInteger(n) && n >= MIN_N && n <= 1 << 20 && (n & (n - 1)) === 0 &&
    kdf['r'] === SCRYPT.r && typeof kdf['p'] === 'number' && Number.isInteger(kdf['p']) && kdf['p'] >= 1 && kdf['p'] <= 4 &&
    typeof cipher === 'object' && cipher !== null && cipher['name'] === 'aes-256-gcm' && b64(cipher['iv']) && b64(cipher['tag']);
  if (!ok) throw new VerilensError('bad-key', `${source}: damaged Verilens key file (missing fields or KDF parameters outside scrypt N 2^15..2^20, r 8, p 1..4)`);
}

export function decryptKeyFile(file: EncryptedKeyFile, passphrase: string, source = 'key file'): AnalystKey {
  if (file?.format !== 'verilens-ed25519-key' || file.version !== 1) throw new VerilensError('bad-key', `${source}: not a Verilens key file`);
  checkKeyFileShape(file, source);
  const key = derive(passphrase, Buffer.from(file.kdf.salt, 'base64'), file.kdf);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(file.cipher.iv, 'base64'));
  decipher.setAAD(Buffer.from(`verilens-ed25519-key:${file.analyst}`));
  decipher.setAuthTag(Buffer.from(file.cipher.tag, 'base64'));
  let der: Buffer;
  try {
    der = Buffer.concat([decipher.update(Buffer.from(file.ciphertext, 'base64')), decipher.final()]);
  } catch {
    throw new VerilensError('bad-passphrase', `${source}: wrong passphrase (or the key file was altered)`);
  }
  const privateKey = privateKeyFromDer(der);
  const publicKey = publicKeyFromPem(file.publicKeyPem, source);
  const fingerprint = fingerprintOf(publicKey);
  if (fingerprint !== file.fingerprint) throw new VerilensError('bad-key', `${source}: fingerprint does not match the public key`);
  // The public half is stored in clear (not covered by the GCM tag): it must be the private key's.
  if (fingerprintOf(createPublicKey(privateKey)) !== fingerprint) throw new VerilensError('bad-key', `${source}: the public key does not belong to the encrypted private key (the key file was altered)`);
  return { analyst: file.analyst, fingerprint, shortFingerprint: shortFingerprint(fingerprint), publicKey, privateKey, publicKeyPem: file.publicKeyPem };
}

/**
 * The public half of the analyst key, read without the passphrase (exporting a public key needs no
 * secret). Null when no key exists yet. The fingerprint is recomputed from the key it names.
 */
export async function readAnalystPublicKey(home: string): Promise<{ analyst: string; publicKeyPem: string; fingerprint: string; shortFingerprint: string } | null> {
  const path = join(keysDir(home), 'analyst.key.json');
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw e;
  });
  if (text === null) return null;
  let file: EncryptedKeyFile;
  try {
    file = JSON.parse(text) as EncryptedKeyFile;
  } catch {
    throw new VerilensError('bad-key', `${path}: not valid JSON`);
  }
  if (file.format !== 'verilens-ed25519-key' || typeof file.publicKeyPem !== 'string') throw new VerilensError('bad-key', `${path}: not a Verilens key file`);
  const fingerprint = fingerprintOf(publicKeyFromPem(file.publicKeyPem, path));
  if (fingerprint !== file.fingerprint) throw new VerilensError('bad-key', `${path}: fingerprint does not match the public key`);
  return { analyst: file.analyst, publicKeyPem: file.publicKeyPem, fingerprint, shortFingerprint: shortFingerprint(fingerprint) };
}

/** Load the analyst key, creating it on first use. */
export async function loadOrCreateAnalystKey(home: string, analyst: string, passphrase: string, now: () => Date = () => new Date()): Promise<AnalystKey & { created: boolean }> {
  const dir = keysDir(home);
  const path = join(dir, 'analyst.key.json');
  const existing = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw e;
  });
  if (existing !== null) {
    let file: EncryptedKeyFile;
    try {
      file = JSON.parse(existing) as EncryptedKeyFile;
    } catch {
      throw new VerilensError('bad-key', `${path}: not valid JSON`);
    }
    return { ...decryptKeyFile(file, passphrase, path), created: false };
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700).catch(() => undefined);
  const pair = generateEd25519();
  const file = encryptKeyPair(analyst, pair, passphrase, now().toISOString());
  // Owner-only: a readable encrypted key invites an offline passphrase search.
  await writeFileAtomic(path, JSON.stringify(file, null, 2), 0o600);
  await writeFileAtomic(join(dir, 'analyst.pub.pem'), file.publicKeyPem);
  return { ...decryptKeyFile(file, passphrase, path), created: true };
}
