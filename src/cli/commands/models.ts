import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import type { ParseArgsConfig } from 'node:util';
import { writeFileAtomic } from '../../util/durable.js';
import { fingerprintOf, shortFingerprint } from '../../keys/ed25519.js';
import { loadOrCreateAnalystKey } from '../../keys/keyring.js';
import { parseManifest } from '../../models/manifest.js';
import { ModelRegistry, shippedModelsDir } from '../../models/registry.js';
import { SIGNATURE_FILE, signManifest } from '../../models/signature.js';
import { MANIFEST_FILE, verifyFolder, verifyModelFile, type FolderReport } from '../../models/verify.js';
import { toErrorInfo, VerilensError } from '../../util/errors.js';
import { sha256Hex } from '../../util/hash.js';
import { dataHome } from '../../util/paths.js';
import { parseCommandLine, UsageError, type CliIO, type Command } from '../io.js';
import { readPassphrase } from '../passphrase.js';

const USAGE = `verilens models <subcommand>
  verify [--models DIR] [--json]   check the manifest (pinned digest or trusted signature) and every
                                   model file's SHA-256; exit 1 on any problem. Without --models,
                                   checks the models shipped with Verilens.
  list [--models DIR]              list the models in use, with version, digest, licence and measured performance
  sign --key KEY.pem [--models DIR]
  sign --analyst [--passphrase-file F] [--models DIR]
                                   sign DIR/manifest.json (default: the current folder) into DIR/${SIGNATURE_FILE},
                                   with an Ed25519 private key (PEM, PKCS#8) or your analyst key.
                                   Make a key with: openssl genpkey -algorithm ed25519 -out org-models.key
                                   and its public key with: openssl pkey -in org-models.key -pubout -out org-models.pub
                                   Analysts then run: verilens keys trust org-models.pub --for models`;

function parse(argv: string[], options: NonNullable<ParseArgsConfig['options']>) {
  return parseCommandLine(argv, options, false);
}

function printReport(io: CliIO, r: FolderReport): void {
  const m = r.manifest;
  if (!m.ok) {
    io.out(`REFUSED  ${m.path}\n  ${m.problem ?? 'manifest refused'}\n`);
    return;
  }
  const trust = m.trust === 'signed' && m.signer ? `signed by ${m.signer.name} (${m.signer.shortFingerprint})` : 'pinned digest of this Verilens build';
  io.out(`manifest ${m.path}\n  sha256 ${m.sha256} (${trust})\n`);
  for (const s of r.models) {
    io.out(`  ${s.ok ? 'ok      ' : 'REFUSED '} ${s.id.padEnd(16)} ${s.version}  ${s.file}\n`);
    if (s.problem) io.out(`           ${s.problem}\n`);
  }
}

async function loadSigningKey(io: CliIO, values: Record<string, string | boolean | (string | boolean)[] | undefined>): Promise<{ privateKey: KeyObject; publicKey: KeyObject; who: string }> {
  const keyFile = values['key'];
  if (typeof keyFile === 'string') {
    const pem = await readFile(keyFile, 'utf8').catch((e: Error) => {
      throw new VerilensError('unreadable', `${keyFile}: cannot read (${e.message})`);
    });
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey(pem);
    } catch (err) {
      throw new VerilensError('bad-key', `${keyFile}: not an unencrypted PEM private key (${(err as Error).message}); make one with 'openssl genpkey -algorithm ed25519 -out KEY.pem'`);
    }
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new VerilensError('bad-key', `${keyFile}: key type is ${privateKey.asymmetricKeyType ?? 'unknown'}, manifests are signed with Ed25519`);
    return { privateKey, publicKey: createPublicKey(privateKey), who: keyFile };
  }
  const passphrase = await readPassphrase(io, typeof values['passphrase-file'] === 'string' ? values['passphrase-file'] : undefined);
  const key = await loadOrCreateAnalystKey(dataHome(io.env), userInfo().username, passphrase);
  return { privateKey: key.privateKey, publicKey: key.publicKey, who: `analyst key of ${key.analyst}` };
}

export const modelsCommand: Command = {
  name: 'models',
  summary: 'verify, list and sign the ONNX models the face checks use',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    const [sub, ...rest] = argv;
    const home = dataHome(io.env);
    switch (sub) {
      case 'verify': {
        const { values } = parse(rest, { models: { type: 'string' }, json: { type: 'boolean' } });
        const dir = resolve(typeof values['models'] === 'string' ? values['models'] : shippedModelsDir(io.env));
        const report = await verifyFolder(dir, { home, shipped: dir === resolve(shippedModelsDir(io.env)) });
        if (values['json']) {
          const { manifest, ...restReport } = report;
          const { manifest: _parsed, ...m } = manifest;
          io.out(`${JSON.stringify({ ...restReport, manifest: m }, null, 2)}\n`);
        } else {
          printReport(io, report);
          const bad = report.models.filter((m) => !m.ok).length;
          io.out(report.ok ? `all ${report.models.length} models verified\n` : `MODEL INTEGRITY FAILURE: ${report.manifest.ok ? `${bad} of ${report.models.length} models refused` : 'the manifest was refused'}; the analyzers that need them will report 'model-integrity'\n`);
        }
        return report.ok ? 0 : 1;
      }
      case 'list': {
        const { values } = parse(rest, { models: { type: 'string' } });
        const registry = new ModelRegistry({ home, shippedDir: shippedModelsDir(io.env), ...(typeof values['models'] === 'string' ? { modelsDir: values['models'] } : {}) });
        const checks = await registry.manifests();
        let ok = true;
        for (const c of checks) {
          if (!c.ok) {
            ok = false;
            io.out(`REFUSED  ${c.path}\n  ${c.problem ?? ''}\n`);
          }
        }
        if (!ok) return 1;
        for (const { entry, check } of await registry.entries()) {
          io.out(`${entry.id}  ${entry.version}  [${entry.role}]  ${check.trust ?? ''}\n`);
          io.out(`  ${entry.title}\n  file ${join(check.dir, entry.file)}\n  sha256 ${entry.sha256}  ${entry.licence}  signal: ${entry.strength}\n`);
          for (const p of entry.performance) io.out(`  measured: ${p.metric} ${p.value} on ${p.dataset} (n=${p.n})${p.note ? ` - ${p.note}` : ''}\n`);
        }
        return 0;
      }
      case 'sign': {
        const { values } = parse(rest, { key: { type: 'string' }, analyst: { type: 'boolean' }, 'passphrase-file': { type: 'string' }, models: { type: 'string' } });
        if (!values['key'] && !values['analyst']) throw new UsageError('models sign needs --key KEY.pem or --analyst');
        if (values['key'] && values['analyst']) throw new UsageError('use either --key or --analyst, not both');
        const dir = resolve(typeof values['models'] === 'string' ? values['models'] : '.');
        if (dir === resolve(shippedModelsDir(io.env))) throw new UsageError('the shipped models are pinned by digest, not signed; sign your organisation folder instead');
        const manifestPath = join(dir, MANIFEST_FILE);
        const bytes = await readFile(manifestPath).catch((e: Error) => {
          throw new VerilensError('unreadable', `${manifestPath}: cannot read (${e.message})`);
        });
        const manifest = parseManifest(bytes, manifestPath);
        const sha = sha256Hex(bytes);
        // Never sign a manifest that does not describe the files beside it.
        const problems: string[] = [];
        for (const e of manifest.models) {
          await verifyModelFile({ dir, path: manifestPath, ok: true, sha256: sha }, e).catch((err: unknown) => problems.push(toErrorInfo(err).message));
        }
        if (problems.length) throw new VerilensError('model-integrity', `not signing ${manifestPath}: ${problems.join('; ')}`);
        const key = await loadSigningKey(io, values);
        const sig = signManifest(bytes, sha, key.privateKey, key.publicKey);
        await writeFileAtomic(join(dir, SIGNATURE_FILE), `${JSON.stringify(sig, null, 2)}\n`);
        const fp = fingerprintOf(key.publicKey);
        io.out(`signed ${manifestPath} (sha256 ${sha}, ${manifest.models.length} models) with ${key.who}\nsigner ${shortFingerprint(fp)} (full: ${fp})\nwrote ${join(dir, SIGNATURE_FILE)}\nAnalysts must trust the public key for models: verilens keys trust <pubkey.pem> --for models\n`);
        return 0;
      }
      default:
        throw new UsageError(sub ? `unknown models subcommand '${sub}'` : 'models needs a subcommand');
    }
  },
};
