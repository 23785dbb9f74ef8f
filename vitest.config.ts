import { defineConfig } from 'vitest/config';

// Native addons must not share a V8 isolate across worker threads: use forks.
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
