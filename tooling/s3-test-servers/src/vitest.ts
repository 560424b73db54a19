import { describe, it } from 'vitest';
import { planS3Suite, type S3SuiteOptions } from './plan.js';
import { configuredS3Servers, type S3TestServer } from './servers.js';

export type { S3SuiteOptions } from './plan.js';

const warned = new Set<string>();

/**
 * `describe` for tests that need a real S3 server: registers `body` once per configured server
 * (see `configuredS3Servers`), titled `title [server]`. With no matching server the suite is
 * skipped with one notice, and its body never runs; under CI=true that is a failing test instead.
 */
export function describeEachS3Server(
  title: string,
  body: (server: S3TestServer) => void,
  options: S3SuiteOptions = {},
): void {
  for (const plan of planS3Suite(title, configuredS3Servers(), options, process.env.CI === 'true')) {
    switch (plan.action) {
      case 'run':
        describe(`${title} [${plan.server.name}]`, () => body(plan.server));
        break;
      case 'fail':
        describe(plan.title, () => {
          it('has the S3 server it needs', () => {
            throw new Error(`${plan.title} ${plan.why}`);
          });
        });
        break;
      case 'skip':
        if (!warned.has(plan.why)) {
          warned.add(plan.why);
          console.warn(`\n[s3-test-servers] SKIPPING S3 tests: ${plan.title} ${plan.why}.\n`);
        }
        // A placeholder test, so the file is not empty; `body` is not called.
        describe.skip(plan.title, () => {
          it('runs on every configured S3 server', () => undefined);
        });
        break;
    }
  }
}
