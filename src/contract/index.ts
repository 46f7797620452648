export type * from './json.js';
export type * from './results.js';
