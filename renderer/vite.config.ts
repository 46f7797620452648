import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The UI is loaded from verilens:// in Electron and from a local static server in tests, so
// every URL is relative and nothing is inlined that the CSP would block.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'chrome130',
    reportCompressedSize: false,
  },
  server: { host: '127.0.0.1' },
});
