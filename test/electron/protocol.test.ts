import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fixture } from '../helpers.js';
import { parseVerilensUrl, serveVerilens, type ProtocolSources } from '../../electron/protocol.js';
import { SECURITY_HEADERS } from '../../electron/security.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('verilens:// protocol', () => {
  let dir: string;
  let src: ProtocolSources;
  let pngSha: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'verilens-proto-'));
    // A renderer build with a secret file beside it that must never be reachable.
    await mkdir(join(dir, 'renderer', 'assets'), { recursive: true });
    await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html><title>app</title>');
    await writeFile(join(dir, 'renderer', 'assets', 'index-abc.js'), 'console.log(1)');
    await writeFile(join(dir, 'secret.txt'), 'SECRET');
    await writeFile(join(dir, 'renderer', 'config.txt'), 'not served: no such file type');
    // A case with a real PNG artifact named by its hash: the protocol must not reach it (artifacts go through getArtifact).
    const png = await readFile(fixture('images', 'png_png_with_exif_and_gps.png'));
    pngSha = sha(png);
    await mkdir(join(dir, 'cases', 'VL-1', 'artifacts'), { recursive: true });
    await copyFile(fixture('images', 'png_png_with_exif_and_gps.png'), join(dir, 'cases', 'VL-1', 'artifacts', `${pngSha}.png`));
    src = { rendererRoot: join(dir, 'renderer'), headers: SECURITY_HEADERS };
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('maps app URLs and refuses everything else, artifact URLs included', () => {
    assert.deepEqual(parseVerilensUrl('verilens://app/'), { kind: 'app', file: 'index.html' });
    assert.deepEqual(parseVerilensUrl('verilens://app/assets/index-abc.js'), { kind: 'app', file: 'assets/index-abc.js' });
    const refused = [
      'verilens://app/../secret.txt',
      'verilens://app/assets/../../secret.txt',
      'verilens://app/%2e%2e/secret.txt',
      'verilens://app/%2E%2E%2Fsecret.txt',
      'verilens://app/assets%2f..%2f..%2fsecret.txt',
      'verilens://app/..%5csecret.txt',
      'verilens://app/assets\\..\\..\\secret.txt',
      'verilens://app/./index.html',
      'verilens://app/.hidden.js',
      'verilens://app/config.txt',
      'verilens://app/%00index.html',
      'verilens://app//etc/passwd.js',
      `verilens://artifact/${'a'.repeat(64)}`,
      'verilens://artifact/../cases/VL-1/artifacts/x.png',
      `verilens://artifact/${'A'.repeat(64)}`,
      `verilens://artifact/${'a'.repeat(63)}`,
      `verilens://artifact/${'a'.repeat(64)}.png`,
      `verilens://artifact/VL-1/${'a'.repeat(64)}`,
      `verilens://artifact/${'a'.repeat(64)}?path=/etc/passwd`,
      'verilens://artifact//etc/passwd',
      'verilens://file/etc/passwd',
      'verilens://user:pw@app/index.html',
      'verilens://app:8080/index.html',
      'file:///etc/passwd',
      'https://app/index.html',
      '',
    ];
    for (const u of refused) assert.equal(parseVerilensUrl(u).kind, 'refused', u);
  });

  it('serves the renderer build with the security headers and never a file outside it', async () => {
    const ok = await serveVerilens('verilens://app/index.html', 'GET', src);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(ok.headers['content-security-policy'], SECURITY_HEADERS['content-security-policy']);
    assert.equal(Buffer.from(ok.body).toString(), '<!doctype html><title>app</title>');
    const js = await serveVerilens('verilens://app/assets/index-abc.js', 'GET', src);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    for (const u of [
      'verilens://app/../secret.txt',
      'verilens://app/%2e%2e/secret.txt',
      'verilens://app/..%2fsecret.txt',
      'verilens://app/config.txt',
    ]) {
      const r = await serveVerilens(u, 'GET', src);
      assert.ok(r.status >= 400, u);
      assert.doesNotMatch(Buffer.from(r.body).toString(), /SECRET|not served: no such/, u);
      assert.equal(r.headers['content-security-policy'], SECURITY_HEADERS['content-security-policy'], 'errors carry the CSP too');
    }
    assert.equal((await serveVerilens('verilens://app/missing.js', 'GET', src)).status, 404);
    assert.equal((await serveVerilens('verilens://app/index.html', 'POST', src)).status, 405);
  });

  it('serves no artifact, even one that exists in a case: the one artifact route is the getArtifact call', async () => {
    const r = await serveVerilens(`verilens://artifact/${pngSha}`, 'GET', src);
    assert.equal(r.status, 404);
    assert.doesNotMatch(Buffer.from(r.body).toString('latin1'), /PNG/);
  });
});
