import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// Multi-page build served by the API node from client/dist (viewer at /, host studio at /host.html).
export default defineConfig({
  root: __dirname,
  build: {
    outDir: resolve(__dirname, 'dist'),
    emptyOutDir: true,
    rollupOptions: {
      input: {
        viewer: resolve(__dirname, 'index.html'),
        host: resolve(__dirname, 'host.html'),
        verify: resolve(__dirname, 'verify.html'),
        replay: resolve(__dirname, 'replay.html'),
        analytics: resolve(__dirname, 'analytics.html'),
      },
    },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:3000', '/socket.io': { target: 'http://127.0.0.1:3000', ws: true } },
  },
});
