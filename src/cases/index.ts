export * from './canonical-json.js';
export * from './case-store.js';
export * from './custody.js';
export * from './durable.js';
export * from './finding-marks.js';
export * from './lock.js';
export * from './types.js';
export * from './verdict.js';
