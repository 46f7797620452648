import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { generateEd25519, publicKeyPem, signBytes, verifyBytes } from '../../src/keys/ed25519.js';
import { loadOrCreateAnalystKey } from '../../src/keys/keyring.js';
import { findTrustedKey, listTrustedKeys, trustKey } from '../../src/keys/trust-store.js';
import { runCli } from '../cli-helpers.js';

describe('analyst keys and trust store', () => {
  it('creates an encrypted key on first use and reopens it only with the passphrase', async () => {
    const home = mkdtempSync(join(tmpdir(), 'verilens-keys-'));
    const a = await loadOrCreateAnalystKey(home, 'Ada Analyst', 'correct horse battery');
    assert.equal(a.created, true);
    const file = readFileSync(join(home, 'keys', 'analyst.key.json'), 'utf8');
    assert.doesNotMatch(file, /PRIVATE KEY/);
    const b = await loadOrCreateAnalystKey(home, 'ignored', 'correct horse battery');
    assert.equal(b.created, false);
    assert.equal(b.fingerprint, a.fingerprint);
    assert.match(b.shortFingerprint, /^[0-9a-f]{4}(:[0-9a-f]{4}){3}$/);
    await assert.rejects(loadOrCreateAnalystKey(home, 'x', 'wrong passphrase'), { code: 'bad-passphrase' });
    const sig = signBytes(b.privateKey, Buffer.from('report'));
    assert.ok(verifyBytes(a.publicKey, Buffer.from('report'), sig));
    assert.ok(!verifyBytes(a.publicKey, Buffer.from('rep0rt'), sig));
  });

  it('trusts keys per purpose and refuses an edited entry', async () => {
    const home = mkdtempSync(join(tmpdir(), 'verilens-trust-'));
    const pair = generateEd25519();
    const k = await trustKey(home, publicKeyPem(pair.publicKey), { name: 'Org models', purposes: ['models'] });
    assert.ok(await findTrustedKey(home, k.fingerprint, 'models'));
    assert.equal(await findTrustedKey(home, k.fingerprint, 'reports'), null);
    const other = generateEd25519();
    const path = join(home, 'trust', `${k.fingerprint}.json`);
    const entry = JSON.parse(readFileSync(path, 'utf8')) as { publicKeyPem: string };
    entry.publicKeyPem = publicKeyPem(other.publicKey);
    writeFileSync(path, JSON.stringify(entry));
    await assert.rejects(listTrustedKeys(home), { code: 'bad-trust-store' });
  });

  it('works from the CLI: init, export, trust, list', async () => {
    const home = mkdtempSync(join(tmpdir(), 'verilens-keycli-'));
    const env = { VERILENS_HOME: home, VERILENS_PASSPHRASE: 'a long passphrase' };
    const init = await runCli(['keys', 'init', '--analyst', 'Bo'], { env });
    assert.equal(init.code, 0, init.stderr);
    assert.match(init.stdout, /fingerprint [0-9a-f]{4}:/);
    const pub = join(home, 'bo.pem');
    // Exporting the public key needs no passphrase.
    const exp = await runCli(['keys', 'export', '--out', pub], { env: { VERILENS_HOME: home, VERILENS_PASSPHRASE: '' } });
    assert.equal(exp.code, 0, exp.stderr);
    assert.match(readFileSync(pub, 'utf8'), /BEGIN PUBLIC KEY/);
    const trust = await runCli(['keys', 'trust', pub, '--name', 'Bo', '--for', 'reports'], { env });
    assert.equal(trust.code, 0, trust.stderr);
    const list = await runCli(['keys', 'list'], { env });
    assert.match(list.stdout, /Bo\s+\(reports;/);
    const bad = await runCli(['keys', 'trust', join(home, 'keys', 'analyst.key.json'), '--for', 'reports'], { env });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /not a PEM public key/);
    const noPass = await runCli(['keys', 'init'], { env: { VERILENS_HOME: home, VERILENS_PASSPHRASE: '' } });
    assert.equal(noPass.code, 1);
    assert.match(noPass.stderr, /passphrase/);
  });
});
