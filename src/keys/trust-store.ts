import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { writeFileAtomic } from '../util/durable.js';
import { VerilensError } from '../util/errors.js';
import { fingerprintOf, publicKeyFromPem, publicKeyPem, shortFingerprint } from './ed25519.js';

/** What a trusted key may vouch for: organisation model manifests, case reports, or both. */
export type TrustPurpose = 'models' | 'reports';

export interface TrustedKey {
  fingerprint: string;
  shortFingerprint: string;
  name: string;
  purposes: TrustPurpose[];
  added: string;
  publicKey: KeyObject;
  publicKeyPem: string;
}

interface TrustEntryFile {
  format: 'verilens-trusted-key';
  version: 1;
  name: string;
  purposes: TrustPurpose[];
  added: string;
  fingerprint: string;
  publicKeyPem: string;
}

/** Local trust store: `<home>/trust/<fingerprint>.json`, one file per key. */
export function trustDir(home: string): string {
  return join(home, 'trust');
}

export async function trustKey(
  home: string,
  pem: string,
  opts: { name: string; purposes: TrustPurpose[]; source?: string; now?: Date },
): Promise<TrustedKey> {
  // No default: a key imported to check a colleague's reports must not also vouch for model manifests.
  if (!Array.isArray(opts.purposes) || opts.purposes.length === 0 || !opts.purposes.every((p) => p === 'models' || p === 'reports')) {
    throw new VerilensError('usage', `say what the key is trusted for: models, reports, or both (got ${JSON.stringify(opts.purposes ?? null)})`);
  }
  const publicKey = publicKeyFromPem(pem, opts.source ?? 'public key');
  const fingerprint = fingerprintOf(publicKey);
  const entry: TrustEntryFile = {
    format: 'verilens-trusted-key',
    version: 1,
    name: opts.name,
    purposes: [...new Set(opts.purposes)],
    added: (opts.now ?? new Date()).toISOString(),
    fingerprint,
    publicKeyPem: publicKeyPem(publicKey),
  };
  await mkdir(trustDir(home), { recursive: true, mode: 0o700 });
  await writeFileAtomic(join(trustDir(home), `${fingerprint}.json`), JSON.stringify(entry, null, 2));
  return { ...entry, shortFingerprint: shortFingerprint(fingerprint), publicKey };
}

export async function listTrustedKeys(home: string): Promise<TrustedKey[]> {
  const dir = trustDir(home);
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: TrustedKey[] = [];
  for (const name of names.sort()) {
    if (!name.endsWith('.json')) continue;
    const path = join(dir, name);
    let entry: TrustEntryFile;
    try {
      entry = JSON.parse(await readFile(path, 'utf8')) as TrustEntryFile;
    } catch {
      throw new VerilensError('bad-trust-store', `${path}: unreadable trust entry`);
    }
    const publicKey = publicKeyFromPem(entry.publicKeyPem, path);
    const fp = fingerprintOf(publicKey);
    // An entry whose key does not match its recorded fingerprint was edited: refuse it loudly.
    if (fp !== entry.fingerprint || name !== `${fp}.json`) throw new VerilensError('bad-trust-store', `${path}: fingerprint does not match the key it holds`);
    out.push({ ...entry, shortFingerprint: shortFingerprint(fp), publicKey });
  }
  return out;
}

/** The trusted key with this fingerprint for this purpose, or null when the signer is unknown. */
export async function findTrustedKey(home: string, fingerprint: string, purpose: TrustPurpose): Promise<TrustedKey | null> {
  const keys = await listTrustedKeys(home);
  return keys.find((k) => k.fingerprint === fingerprint && k.purposes.includes(purpose)) ?? null;
}
