import { defineConfig } from 'vitest/config';

/**
 * Shared vitest settings. Tests resolve sibling workspace packages to their TypeScript source
 * through the `@datalake/source` export condition, so no build is needed to test.
 *
 * @param {{ testTimeout?: number; include?: string[]; globalSetup?: string[] }} [overrides]
 */
export function datalakeVitestConfig(overrides = {}) {
  return defineConfig({
    ssr: { resolve: { conditions: ['@datalake/source'] } },
    resolve: { conditions: ['@datalake/source'] },
    test: {
      include: overrides.include ?? ['test/**/*.test.ts', 'src/**/*.test.ts'],
      // A guard against hangs only: a loaded CI machine may run a test many times slower than a quiet one.
      testTimeout: overrides.testTimeout ?? 300_000,
      hookTimeout: 300_000,
      // What a test waits for with expect.poll may take seconds on a loaded machine, never a failure.
      expect: { poll: { timeout: 30_000 } },
      globalSetup: overrides.globalSetup ?? [],
    },
  });
}
