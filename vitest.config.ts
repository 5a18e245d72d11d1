import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'contracts/**/*.test.ts',
      'server/**/*.test.ts',
      'media/**/*.test.ts',
      'client/**/*.test.ts',
      'load-tests/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // Real Redis and PostgreSQL for the whole run, started once (see test/global-setup.ts).
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    reporters: ['default', './test/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 90_000,
  },
});
