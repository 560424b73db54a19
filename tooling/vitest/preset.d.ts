import type { UserConfig } from 'vitest/config';

export interface DatalakeVitestOverrides {
  testTimeout?: number;
  include?: string[];
  globalSetup?: string[];
}

export declare function datalakeVitestConfig(overrides?: DatalakeVitestOverrides): UserConfig;
