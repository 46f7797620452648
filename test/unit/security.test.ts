import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { keysCommand } from '../../src/cli/commands/keys.js';
import type { CliIO } from '../../src/cli/io.js';
import { generateEd25519, publicKeyPem } from '../../src/keys/ed25519.js';
import { loadOrCreateAnalystKey } from '../../src/keys/keyring.js';
import { findTrustedKey, trustKey, type TrustPurpose } from '../../src/keys/trust-store.js';

function io(home: string): CliIO & { text: string[] } {
  const text: string[] = [];
  return { text, out: (t) => void text.push(t), err: (t) => void text.push(t), errIsTTY: false, env: { VERILENS_HOME: home } };
}

const tmp = (p: string): string => mkdtempSync(join(tmpdir(), `verilens-sec-${p}-`));

describe('security: keys and trust store', () => {
  it('trust-purpose-default: importing a key without --for does not trust it for model manifests', async () => {
    const home = tmp('trust');
    const pub = join(home, 'colleague.pub.pem');
    const pair = generateEd25519();
    writeFileSync(pub, publicKeyPem(pair.publicKey));
    // A colleague's key imported to check their reports must not silently vouch for models too.
    await assert.rejects(keysCommand.run(['trust', pub, '--name', 'Dana'], io(home)), { code: 'usage' });
    await assert.rejects(trustKey(home, publicKeyPem(pair.publicKey), { name: 'Dana' } as { name: string; purposes: TrustPurpose[] }), { code: 'usage' });
    await assert.rejects(trustKey(home, publicKeyPem(pair.publicKey), { name: 'Dana', purposes: [] }), { code: 'usage' });
    const fp = (await trustKey(home, publicKeyPem(pair.publicKey), { name: 'Dana', purposes: ['reports'] })).fingerprint;
    assert.equal(await findTrustedKey(home, fp, 'models'), null);
  });

  it('key-file-mode: the encrypted private key is readable by its owner only, even in an existing folder', async () => {
    const home = tmp('mode');
    mkdirSync(join(home, 'keys'));
    chmodSync(join(home, 'keys'), 0o755);
    await loadOrCreateAnalystKey(home, 'Ada', 'correct horse battery');
    assert.equal(statSync(join(home, 'keys', 'analyst.key.json')).mode & 0o077, 0);
  });

  it('key-file-kdf-params: absurd scrypt parameters in a tampered key file are refused, not run', async () => {
    const home = tmp('kdf');
    await loadOrCreateAnalystKey(home, 'Ada', 'correct horse battery');
    const path = join(home, 'keys', 'analyst.key.json');
    const orig = readFileSync(path, 'utf8');
    for (const kdf of [{ N: 2 ** 30 }, { N: 2 }, { p: 100_000 }, { r: 1 }, { N: 'x' }]) {
      const f = JSON.parse(orig) as { kdf: Record<string, unknown> };
      Object.assign(f.kdf, kdf);
      writeFileSync(path, JSON.stringify(f));
      const t0 = Date.now();
      await assert.rejects(loadOrCreateAnalystKey(home, 'Ada', 'correct horse battery'), { code: 'bad-key' }, JSON.stringify(kdf));
      assert.ok(Date.now() - t0 < 5000);
    }
    const f = JSON.parse(orig) as { cipher?: unknown };
    delete f.cipher;
    writeFileSync(path, JSON.stringify(f));
    await assert.rejects(loadOrCreateAnalystKey(home, 'Ada', 'correct horse battery'), { code: 'bad-key' });
  });

  it('key-file-public-key-swap: a key file whose public key is not the private key is refused', async () => {
    const home = tmp('swap');
    await loadOrCreateAnalystKey(home, 'Ada', 'correct horse battery');
    const path = join(home, 'keys', 'analyst.key.json');
    const other = generateEd25519();
    const f = JSON.parse(readFileSync(path, 'utf8')) as { publicKeyPem: string; fingerprint: string };
    const k = await trustKey(tmp('fp'), publicKeyPem(other.publicKey), { name: 'x', purposes: ['reports'] });
    f.publicKeyPem = publicKeyPem(other.publicKey);
    f.fingerprint = k.fingerprint;
    writeFileSync(path, JSON.stringify(f));
    await assert.rejects(loadOrCreateAnalystKey(home, 'Ada', 'correct horse battery'), { code: 'bad-key' });
  });
});
