export * from './export.js';
export * from './model.js';
export * from './pdf.js';
export * from './signature.js';
export * from './verify.js';
