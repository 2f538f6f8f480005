import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

// The Hono API serves web/dist on the same origin; in `vite dev` the proxy gives the same
// picture, so the app only ever uses relative URLs.
const api = 'http://localhost:3000';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [solid()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    proxy: { '/api': api, '/codec': api },
  },
  preview: {
    proxy: { '/api': api, '/codec': api },
  },
});
