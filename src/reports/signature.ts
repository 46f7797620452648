import type { KeyObject } from 'node:crypto';
import { canonicalJson } from '../util/canonical-json.js';
import { fingerprintOf, signBytes, verifyBytes } from '../keys/ed25519.js';

/** What the signature is over: the two digests that pin the bundle, and who signed. */
export interface SignedReport {
  caseId: string;
  reportTime: string;
  custodyEntries: number;
  custodyHead: string;
  /** SHA-256 of report.json (its exact, canonical bytes). */
  jsonSha256: string;
  /** SHA-256 of report.pdf. */
  pdfSha256: string;
  /** Full fingerprint of the signing key. */
  signer: string;
}

/** report.sig: canonical JSON, one line. */
export interface SignatureFile {
  format: 'verilens-report-signature';
  version: 1;
  algorithm: 'ed25519';
  signed: SignedReport;
  signerName: string;
  publicKeyPem: string;
  /** Base64 Ed25519 signature over signingInput(signed). */
  signature: string;
}

const DOMAIN = 'verilens-report-signature-v1\n';

/** Bytes that are signed: a domain tag (so the signature cannot be replayed as another kind of message) and the canonical payload. */
export function signingInput(signed: SignedReport): Buffer {
  return Buffer.from(DOMAIN + canonicalJson(signed), 'utf8');
}

export function signReport(signed: SignedReport, key: { privateKey: KeyObject; publicKey: KeyObject; publicKeyPem: string; analyst: string }): SignatureFile {
  return {
    format: 'verilens-report-signature',
    version: 1,
    algorithm: 'ed25519',
    signed: { ...signed, signer: fingerprintOf(key.publicKey) },
    signerName: key.analyst,
    publicKeyPem: key.publicKeyPem,
    signature: signBytes(key.privateKey, signingInput({ ...signed, signer: fingerprintOf(key.publicKey) })).toString('base64'),
  };
}

export function checkSignature(sig: SignatureFile, publicKey: KeyObject): boolean {
  let input: Buffer;
  try {
    input = signingInput(sig.signed);
  } catch {
    return false; // a payload canonical JSON refuses (1e999 is Infinity) was never signed by Verilens
  }
  return verifyBytes(publicKey, input, Buffer.from(sig.signature, 'base64'));
}
