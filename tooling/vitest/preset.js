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
      testTimeout: overrides.testTimeout ?? 30_000,
      hookTimeout: 120_000,
      globalSetup: overrides.globalSetup ?? [],
    },
  });
}
