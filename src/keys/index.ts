export * from './ed25519.js';
export * from './keyring.js';
export * from './trust-store.js';
