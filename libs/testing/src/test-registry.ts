import { readFileSync } from 'node:fs';
import path from 'node:path';

import { type CaptureDestination } from './log-capture';
import { buildProjects } from './workspace.util';

/** A registry running in this process for a test. */
export interface TestRegistry {
  /** Base URL, e.g. `https://127.0.0.1:41234`. */
  url: string;
  port: number;
  /** The shared data directory; the registry keeps its files in `<dataDir>/registry`. */
  dataDir: string;
  caFingerprint: string;
  /** Reads the development bootstrap token the registry wrote. */
  bootstrapToken(): string;
  close(): Promise<void>;
}

// The part of the registry's `registry-app` module that tests use. Libraries
// may not import apps, so the registry is loaded from a private build (see
// startTestRegistry) and typed here by hand.
interface RegistryAppModule {
  startRegistry(options: {
    env: Record<string, string | undefined>;
    logDestination?: CaptureDestination;
  }): Promise<{ url: string; port: number; caFingerprint: string; close(): Promise<void> }>;
}

/**
 * Starts the registry in this process on a free loopback port over
 * `dataDir`. The registry is an app, which libraries may not import, so it
 * is compiled with `tools/build/build.mjs` into a private folder once per
 * process and loaded from there.
 */
export async function startTestRegistry(options: {
  dataDir: string;
  logDestination?: CaptureDestination;
  env?: Record<string, string>;
}): Promise<TestRegistry> {
  const outDir = await buildProjects(['registry']);
  const modulePath = path.join(outDir, 'apps/registry/src/registry-app.js');
  const registryApp = (await import(modulePath)) as RegistryAppModule;
  const running = await registryApp.startRegistry({
    env: {
      ROKKS_DATA_DIR: options.dataDir,
      ROKKS_REGISTRY_HOST: '127.0.0.1',
      ROKKS_REGISTRY_PORT: '0',
      ROKKS_LOG_LEVEL: 'debug',
      ...options.env,
    },
    logDestination: options.logDestination,
  });

  return {
    url: running.url,
    port: running.port,
    dataDir: options.dataDir,
    caFingerprint: running.caFingerprint,
    bootstrapToken: () =>
      readFileSync(path.join(options.dataDir, 'registry', 'bootstrap-token'), 'utf8').trim(),
    close: () => running.close(),
  };
}
