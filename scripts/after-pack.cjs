// electron-builder afterPack hook: flip Electron's fuses in the packaged binary before it is
// signed, so the shipped app cannot be turned into a generic Node runtime or debugged by flags.
//   RunAsNode off                          ELECTRON_RUN_AS_NODE cannot run arbitrary scripts
//   EnableNodeOptionsEnvironmentVariable off NODE_OPTIONS cannot inject code
//   EnableNodeCliInspectArguments off      --inspect / --inspect-brk are ignored
//   EnableEmbeddedAsarIntegrityValidation on app.asar must match the hash embedded at build time
//   OnlyLoadAppFromAsar on                 no loose app/ folder next to the binary is honoured
//   GrantFileProtocolExtraPrivileges off   file:// gets no special powers (the UI uses verilens://)
//   EnableCookieEncryption on              cookies at rest are encrypted with the OS keychain
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- electron-builder loads hooks as CommonJS */
const path = require('node:path');

/** The fuse wire for release builds (every V1 fuse this library knows is set explicitly). */
function fuseConfig(platform, arch) {
  const { FuseVersion, FuseV1Options } = require('@electron/fuses');
  return {
    version: FuseVersion.V1,
    // Not strict: newer Electron wires carry fuses this @electron/fuses release does not name yet
    // (they keep Electron's default); every fuse named here is set explicitly.
    strictlyRequireAllFuses: false,
    // Flipping fuses invalidates the ad-hoc signature on Apple silicon; reset it (real signing comes after).
    resetAdHocDarwinSignature: platform === 'darwin' && arch === 'arm64',
    [FuseV1Options.RunAsNode]: false,
    [FuseV1Options.EnableCookieEncryption]: true,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  };
}

/** Path of the Electron executable electron-builder just laid out in appOutDir. */
function electronBinary(platform, appOutDir, productFilename, executableName) {
  switch (platform) {
    case 'darwin':
    case 'mas':
      return path.join(appOutDir, `${productFilename}.app`);
    case 'win32':
      return path.join(appOutDir, `${productFilename}.exe`);
    default:
      return path.join(appOutDir, executableName || productFilename);
  }
}

// electron-builder's Arch enum: 0 ia32, 1 x64, 2 armv7l, 3 arm64, 4 universal.
const ARCH = ['ia32', 'x64', 'armv7l', 'arm64', 'universal'];

async function afterPack(context) {
  const { flipFuses } = require('@electron/fuses');
  const platform = context.electronPlatformName;
  const info = context.packager.appInfo;
  const exe = electronBinary(platform, context.appOutDir, info.productFilename, context.packager.executableName);
  const arch = ARCH[context.arch] || String(context.arch);
  await flipFuses(exe, fuseConfig(platform, arch));
  console.log(
    `  • fuses flipped  file=${path.relative(process.cwd(), exe)} RunAsNode=off NODE_OPTIONS=off inspect=off asarIntegrity=on onlyLoadAppFromAsar=on`,
  );
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.fuseConfig = fuseConfig;
module.exports.electronBinary = electronBinary;
