import { fileURLToPath } from 'node:url';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('../..', import.meta.url));

// The SPA is built into dist/apps/frontend, where the edge serves it from.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  resolve: {
    alias: {
      '@rokks/transform': `${root}libs/transform/src/index.ts`,
      '@rokks/naming': `${root}libs/naming/src/index.ts`,
    },
  },
  build: {
    outDir: `${root}dist/apps/frontend`,
    emptyOutDir: true,
    // The dashboards chunk is mostly ECharts (core, line chart, canvas
    // renderer): about 500 kB minified, loaded only on the dashboards pages.
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/auth': 'http://127.0.0.1:3000',
    },
  },
});
