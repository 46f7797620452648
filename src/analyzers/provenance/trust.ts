import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resourcesRoot } from '../../util/package-root.js';

/** Where the trust lists ship: beside this module's source, found from the resources root (works under tsx, dist/ and a packaged app). */
export const TRUST_DIR_REL = 'src/analyzers/provenance/trust';

export interface TrustFileSpec {
  file: string;
  /** Pinned SHA-256 of the exact bytes: a changed list is refused, never used. */
  sha256: string;
}

export interface TrustListSpec {
  /** Stable id; also the `trust_uri` given to c2pa-rs, so its "found in [...]" messages name the list. */
  id: string;
  title: string;
  kind: 'manifest' | 'tsa';
  /** Date the list content last changed upstream (ISO date). */
  date: string;
  source: string;
  licence: string;
  anchors: TrustFileSpec;
  allowed?: TrustFileSpec;
  /** True for lists their publisher calls temporary. */
  interim?: boolean;
}

export const TRUST_LISTS: readonly TrustListSpec[] = [
  {
    id: 'c2pa-trust-list',
    title: 'C2PA Trust List (official, claim signers)',
    kind: 'manifest',
    date: '2026-08-13',
    source: 'c2pa-org/conformance-public trust-list/C2PA-TRUST-LIST.pem @ 7dbff513b66e',
    licence: 'CC BY 4.0',
    anchors: { file: 'C2PA-TRUST-LIST.pem', sha256: '75cacc98b79ecac33713c7ecfb58d4a0ef383f3c1f886e7409f9e37e8664aea5' },
  },
  {
    id: 'c2pa-tsa-trust-list',
    title: 'C2PA TSA Trust List (official, time-stamp authorities)',
    kind: 'tsa',
    date: '2026-08-13',
    source: 'c2pa-org/conformance-public trust-list/C2PA-TSA-TRUST-LIST.pem @ 7dbff513b66e',
    licence: 'CC BY 4.0',
    anchors: { file: 'C2PA-TSA-TRUST-LIST.pem', sha256: 'c688d3555f4a2f1f8d663472bbd37888ff234abdd234c25934c0f9292e4eb5c9' },
  },
  {
    id: 'content-credentials-interim',
    title: 'Content Credentials interim trust list (temporary, to be deprecated)',
    kind: 'manifest',
    date: '2025-08-28',
    source: 'contentauth/verify-site static/trust/{anchors,allowed}.pem @ 506f98c31a02',
    licence: 'Apache-2.0',
    anchors: { file: 'interim-anchors.pem', sha256: 'e0ab688a23a03a995b355fef351f6a89ccbb09329b5dc9195297fbe2c7a525c5' },
    allowed: { file: 'interim-allowed.pem', sha256: '2f4ba19707a49a0aece732c8a211b7f544f990247018368deaf7382bcfa58451' },
    interim: true,
  },
];

export const TRUST_CONFIG: TrustFileSpec = { file: 'interim-store.cfg', sha256: '1044c30a906b0c9cbe28b4a4c0002ca56a718f0ae22b9af83238543a07d0e718' };

export interface LoadedTrust {
  /** c2pa-rs settings (JSON text) for c2pa-wasm 0.13: offline, trust lists inline. */
  settingsJson: string;
  /** Lists actually in use. */
  lists: TrustListSpec[];
  /** Why trust checking is off or partial (missing or altered files); empty when all lists loaded. */
  problems: string[];
}

/** Offline verify settings shared by every mode: never fetch remote manifests or OCSP responses. */
export const OFFLINE_VERIFY = { remote_manifest_fetch: false, ocsp_fetch: false } as const;

type Reader = (path: string) => Buffer;

function loadPinned(dir: string, spec: TrustFileSpec, read: Reader, problems: string[]): string | null {
  let bytes: Buffer;
  try {
    bytes = read(join(dir, spec.file));
  } catch (err) {
    problems.push(`trust file ${spec.file} is missing or unreadable (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    return null;
  }
  const got = createHash('sha256').update(bytes).digest('hex');
  if (got !== spec.sha256) {
    problems.push(`trust file ${spec.file} does not match its pinned SHA-256 (got ${got.slice(0, 16)}…), so it was not used`);
    return null;
  }
  return bytes.toString('utf8');
}

/**
 * Build the c2pa-rs settings from the bundled lists. Pure apart from `read`, so tests can feed altered files.
 * c2pa-wasm 0.13.1+ (c2pa-rs 0.91) takes `trust.anchors[]`; `allowed_list` must sit inside an anchor entry.
 */
export function buildTrust(dir = join(resourcesRoot(), TRUST_DIR_REL), read: Reader = (p) => readFileSync(p)): LoadedTrust {
  const problems: string[] = [];
  const anchors: Record<string, string>[] = [];
  const lists: TrustListSpec[] = [];
  for (const l of TRUST_LISTS) {
    const pem = loadPinned(dir, l.anchors, read, problems);
    if (pem === null) continue;
    const entry: Record<string, string> = { trust_kind: l.kind, trust_uri: l.id, trust_anchors: pem };
    if (l.allowed) {
      const allowed = loadPinned(dir, l.allowed, read, problems);
      if (allowed !== null) entry['allowed_list'] = allowed;
    }
    anchors.push(entry);
    lists.push(l);
  }
  const trustConfig = loadPinned(dir, TRUST_CONFIG, read, problems);
  const verifyTrust = anchors.length > 0;
  const settings = {
    verify: { ...OFFLINE_VERIFY, verify_trust: verifyTrust, verify_timestamp_trust: verifyTrust },
    ...(verifyTrust ? { trust: { ...(trustConfig !== null ? { trust_config: trustConfig } : {}), anchors } } : {}),
  };
  return { settingsJson: JSON.stringify(settings), lists, problems };
}

let cached: LoadedTrust | undefined;

/** The bundled trust, loaded and verified once per process. */
export function bundledTrust(): LoadedTrust {
  return (cached ??= buildTrust());
}
