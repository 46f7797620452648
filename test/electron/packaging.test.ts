import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { ROOT } from '../helpers.js';

/**
 * Packaging can only run on a machine with the Electron binary, so what can be checked here is:
 * the electron-builder configuration passes electron-builder's own schema, what must be unpacked
 * from the asar exists, the compiled entry is package.json "main", and the afterPack hook really
 * flips the fuses (run on a file carrying Electron's fuse wire, then read back with @electron/fuses).
 */
const requireRoot = createRequire(join(ROOT, 'package.json'));
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';

interface BuilderConfig {
  files: (string | { filter: string[] })[];
  asarUnpack: string[];
  afterPack: string;
  linux: { target: string[] };
  win: { target: string[] };
  mac: { target: string[] };
  publish: unknown;
  npmRebuild: boolean;
}

async function loadConfig(): Promise<BuilderConfig> {
  const { getConfig } = requireRoot('app-builder-lib/out/util/config/config') as {
    getConfig(dir: string, file: string, opts: null): Promise<BuilderConfig>;
  };
  return getConfig(ROOT, 'electron-builder.yml', null);
}

describe('desktop packaging (electron-builder)', () => {
  it("passes electron-builder's schema with the required targets, unpacked modules and hook", async () => {
    const { validateConfiguration } = requireRoot('app-builder-lib/out/util/config/config') as {
      validateConfiguration(c: BuilderConfig, logger: unknown): Promise<void>;
    };
    const { DebugLogger } = requireRoot('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    const cfg = await loadConfig();
    await validateConfiguration(cfg, new DebugLogger(false));
    assert.deepEqual(cfg.linux.target, ['AppImage', 'deb']);
    assert.deepEqual(cfg.win.target, ['nsis']);
    assert.deepEqual(cfg.mac.target, ['dmg']);
    assert.equal(cfg.publish, null, 'no update feed: the app never phones home');
    assert.equal(cfg.afterPack, 'scripts/after-pack.cjs');
    for (const must of [
      'node_modules/sharp/**',
      'node_modules/@img/**',
      'node_modules/onnxruntime-node/**',
      'node_modules/@ffmpeg-installer/**',
      'node_modules/@ffprobe-installer/**',
      'models/**',
      'src/analyzers/provenance/trust/**',
    ]) {
      assert.ok(cfg.asarUnpack.includes(must), `asarUnpack has ${must}`);
      assert.ok(existsSync(join(ROOT, must.replace('/**', ''))), `${must} exists to be unpacked`);
    }
    const files = cfg.files.flatMap((f) => (typeof f === 'string' ? [f] : f.filter));
    for (const must of ['dist/electron/**/*.cjs', 'renderer/dist/**', 'models/**', 'src/analyzers/provenance/trust/**'])
      assert.ok(files.includes(must), `files has ${must}`);
  });

  it('compiles electron/main.ts to package.json "main", and the preload to CommonJS', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string; scripts: Record<string, string> };
    assert.equal(pkg.main, 'dist/electron/main.js');
    const configPath = join(ROOT, 'electron', 'tsconfig.json');
    const raw = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
    const parsed = ts.parseJsonConfigFileContent(raw.config, ts.sys, join(ROOT, 'electron'), undefined, configPath);
    assert.deepEqual(parsed.errors, []);
    const out = (f: string): string[] => ts.getOutputFileNames(parsed, join(ROOT, f), false).filter((x) => /\.c?js$/.test(x));
    assert.deepEqual(out('electron/main.ts'), [join(ROOT, pkg.main)]);
    assert.deepEqual(out('electron/preload.generated.cts'), [join(ROOT, 'dist', 'electron', 'preload.generated.cjs')]);
    assert.deepEqual(out('electron/engine-host.ts'), [join(ROOT, 'dist', 'electron', 'engine-host.js')]);
    assert.match(pkg.scripts['start'] ?? '', /electron \.$/);
    assert.match(pkg.scripts['dist'] ?? '', /electron-builder/);
  });

  it('afterPack flips the fuses in the packaged binary', async () => {
    const afterPack = requireRoot('./scripts/after-pack.cjs') as ((ctx: unknown) => Promise<void>) & {
      electronBinary(platform: string, dir: string, product: string, exe?: string): string;
    };
    const { getCurrentFuseWire, FuseV1Options } = requireRoot('@electron/fuses') as {
      getCurrentFuseWire(p: string): Promise<Record<number, unknown>>;
      FuseV1Options: Record<string, number>;
    };
    const dir = await mkdtemp(join(tmpdir(), 'verilens-fuses-'));
    try {
      // Electron's factory wire (nine fuses in recent releases): RunAsNode, NODE_OPTIONS and inspect on.
      const wire = Buffer.from('101100011', 'ascii');
      const exe = join(dir, 'verilens');
      await writeFile(
        exe,
        Buffer.concat([
          Buffer.from('\x7fELF...binary bytes...'),
          Buffer.from(SENTINEL),
          Buffer.from([1, wire.length]),
          wire,
          Buffer.from('...'),
        ]),
      );
      const log = console.log;
      console.log = () => undefined;
      try {
        await afterPack({
          electronPlatformName: 'linux',
          appOutDir: dir,
          arch: 1,
          packager: { appInfo: { productFilename: 'Verilens' }, executableName: 'verilens' },
        });
      } finally {
        console.log = log;
      }
      const fuses = await getCurrentFuseWire(exe);
      const on = (o: number | undefined): boolean => String(fuses[o ?? -1]) === '49';
      const off = (o: number | undefined): boolean => String(fuses[o ?? -1]) === '48';
      assert.ok(off(FuseV1Options.RunAsNode), 'RunAsNode off');
      assert.ok(off(FuseV1Options.EnableNodeOptionsEnvironmentVariable), 'NODE_OPTIONS off');
      assert.ok(off(FuseV1Options.EnableNodeCliInspectArguments), 'inspect off');
      assert.ok(on(FuseV1Options.EnableEmbeddedAsarIntegrityValidation), 'asar integrity on');
      assert.ok(on(FuseV1Options.OnlyLoadAppFromAsar), 'only load from asar on');
      assert.ok(off(FuseV1Options.GrantFileProtocolExtraPrivileges), 'file:// privileges off');
      assert.ok(on(FuseV1Options.EnableCookieEncryption), 'cookie encryption on');
      const bytes = await readFile(exe);
      assert.equal(
        bytes
          .subarray(bytes.indexOf(SENTINEL) + SENTINEL.length + 2)
          .subarray(0, 9)
          .toString('ascii'),
        '010011001',
      );
      assert.equal(afterPack.electronBinary('win32', 'out', 'Verilens'), join('out', 'Verilens.exe'));
      assert.equal(afterPack.electronBinary('darwin', 'out', 'Verilens'), join('out', 'Verilens.app'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
