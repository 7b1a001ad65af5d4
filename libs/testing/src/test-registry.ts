import { readFileSync, rmSync } from 'node:fs';
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

let registryApp: Promise<RegistryAppModule> | undefined;

/**
 * Compiles the registry into a private folder and loads its `registry-app`
 * module, once per module registry (per test file under Jest). The folder
 * is deleted right after loading: the registry and the libraries it uses
 * require all their modules at load time.
 */
function loadRegistryApp(): Promise<RegistryAppModule> {
  registryApp ??= (async () => {
    const outDir = await buildProjects(['registry']);

    try {
      return (await import(
        path.join(outDir, 'apps/registry/src/registry-app.js')
      )) as RegistryAppModule;
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  })();

  return registryApp;
}

/**
 * Starts the registry in this process on a free loopback port over
 * `dataDir`. The registry is an app, which libraries may not import, so it
 * is compiled with `tools/build/build.mjs` and loaded from the build output.
 */
export async function startTestRegistry(options: {
  dataDir: string;
  logDestination?: CaptureDestination;
  env?: Record<string, string>;
}): Promise<TestRegistry> {
  const app = await loadRegistryApp();
  const running = await app.startRegistry({
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
