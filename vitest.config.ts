import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests share one Redis server but never a key: each test takes its own prefix.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
