import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The Fluent files live in ../locales, shared with Rust.
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  server: { fs: { allow: ['..'] } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'safari15',
    // Tauri serves everything from the app bundle: no inline data URLs for scripts.
    assetsInlineLimit: 0,
  },
  test: {
    include: ['src/**/*.test.ts'],
  },
});
