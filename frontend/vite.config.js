// Build of the officers' map and the citizen portal into frontend/dist, served by Django
// (frontend.assets) from the hashed names listed in dist/.vite/manifest.json.
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    assetsDir: '',
    sourcemap: false,
    target: 'es2020',
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      input: {
        officer: 'src/officer.js',
        portal: 'src/portal.js',
        page: 'src/page.js',
        queue: 'src/queue.js',
        track: 'src/track.js',
        apply: 'src/apply.js',
        application: 'src/application.js',
      },
    },
  },
  test: {
    include: ['tests/**/*.test.js'],
    environment: 'node',
  },
});
