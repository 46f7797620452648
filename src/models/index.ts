export * from './manifest.js';
export * from './onnx-scan.js';
export * from './pin.js';
export * from './preprocess.js';
export * from './registry.js';
export * from './signature.js';
export * from './verify.js';
export { createEngineServices, type EngineServicesOptions } from '../engine/services.js';
