import type { KeyObject } from 'node:crypto';
import { fingerprintOf, shortFingerprint, signBytes, verifyBytes } from '../keys/ed25519.js';
import { VerilensError } from '../util/errors.js';

/**
 * `manifest.sig`: a small JSON file beside an organisation's `manifest.json`:
 *   { "format": "verilens-manifest-signature", "version": 1, "algorithm": "ed25519",
 *     "signer": "<SHA-256 of the signer's SPKI DER public key, hex>",
 *     "manifestSha256": "<SHA-256 of manifest.json, hex; informative>",
 *     "signature": "<base64 Ed25519 signature over the exact bytes of manifest.json>" }
 * The signer must be in the local trust store for the purpose 'models'; the public key is taken
 * from there, never from the signature file.
 */
export interface ManifestSignature {
  format: 'verilens-manifest-signature';
  version: 1;
  algorithm: 'ed25519';
  signer: string;
  manifestSha256: string;
  signature: string;
}

export const SIGNATURE_FILE = 'manifest.sig';

export function signManifest(manifestBytes: Uint8Array, manifestSha256: string, privateKey: KeyObject, publicKey: KeyObject): ManifestSignature {
  return {
    format: 'verilens-manifest-signature',
    version: 1,
    algorithm: 'ed25519',
    signer: fingerprintOf(publicKey),
    manifestSha256,
    signature: signBytes(privateKey, manifestBytes).toString('base64'),
  };
}

export function parseSignature(bytes: Uint8Array, source: string): ManifestSignature {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new VerilensError('model-integrity', `${source}: not valid JSON`);
  }
  const d = doc as Partial<ManifestSignature> | null;
  if (
    !d ||
    d.format !== 'verilens-manifest-signature' ||
    d.version !== 1 ||
    d.algorithm !== 'ed25519' ||
    typeof d.signer !== 'string' ||
    !/^[0-9a-f]{64}$/.test(d.signer) ||
    typeof d.signature !== 'string' ||
    typeof d.manifestSha256 !== 'string'
  ) {
    throw new VerilensError('model-integrity', `${source}: not a Verilens manifest signature (format 'verilens-manifest-signature', version 1, ed25519)`);
  }
  return d as ManifestSignature;
}

export function signatureValid(sig: ManifestSignature, manifestBytes: Uint8Array, publicKey: KeyObject): boolean {
  const raw = Buffer.from(sig.signature, 'base64');
  return raw.length === 64 && verifyBytes(publicKey, manifestBytes, raw);
}

export { shortFingerprint };
