export type * from './json.js';
export type * from './results.js';
export * from './params.js';
export * from './analyzers/index.js';
