// Worker thread that runs c2pa-rs (WebAssembly) away from the engine's thread, so a hostile file
// that makes it spin or balloon can be stopped by terminating the worker.
import { parentPort, workerData } from 'node:worker_threads';
import { blockNetwork, initC2paWasm, readManifestStore } from './c2pa-wasm-core.js';

interface Request {
  id: number;
  mime: string;
  bytes: Uint8Array;
}

const port = parentPort;
if (!port) throw new Error('c2pa-worker must run as a worker thread');
const settingsJson = (workerData as { settingsJson: string }).settingsJson;

blockNetwork();
initC2paWasm();
port.on('message', (req: Request) => {
  void readManifestStore(req.mime, req.bytes, settingsJson).then((res) => {
    port.postMessage({ id: req.id, ...res });
    if (!res.ok && res.trapped) setImmediate(() => process.exit(0)); // ends this thread only; the host starts a fresh one
  });
});
port.postMessage({ ready: true });
