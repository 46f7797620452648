/// <reference types="electron" />
import { createApi } from '../src/api.js';
import { serveEngine, type FromEngine, type ToEngine } from './engine-protocol.js';

/**
 * Entry point of the engine host, started by main with `utilityProcess.fork`: the analyzers,
 * decoders and ONNX sessions run here, off the main process, so the window stays responsive and
 * a native crash in a decoder cannot take the UI down.
 */
const parent = process.parentPort;
serveEngine(
  {
    post: (m: FromEngine) => parent.postMessage(m),
    onMessage: (listener: (m: ToEngine) => void) => parent.on('message', (e) => listener(e.data as ToEngine)),
  },
  (host) => createApi(host),
);
