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
    // The main chunk (React, React Aria Components, the transform library) is
    // about 605 kB minified and 186 kB gzipped. ECharts (547 kB) and CodeMirror
    // (438 kB) are separate chunks that load with the dashboards and SQL pages.
    chunkSizeWarningLimit: 650,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/auth': 'http://127.0.0.1:3000',
    },
  },
});
