import { defineConfig } from 'vitest/config';
import solid from 'vite-plugin-solid';

export default defineConfig({
  // For web/**/*.test.tsx; such files choose a DOM with `// @vitest-environment jsdom`
  // (or happy-dom) — everything else runs in Node against the real stack.
  plugins: [solid()],
  test: {
    include: ['test/**/*.test.ts', 'domain/**/*.test.ts', 'web/**/*.test.{ts,tsx}'],
    environment: 'node',
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/support/quiet-runtime.ts'],
    pool: 'forks',
    // One shared stack on a 2-core machine: files one after the other are faster and
    // steadier than in parallel.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
  },
});
