import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Agent, fetch, type Headers, type RequestInit, type Response } from 'undici';

import { MemoryDestination } from '@rokks/logging';

import { type RunningRegistry, startRegistry } from '../registry-app';

/** A response with its body read, so the connection can be closed. */
export interface CapturedResponse {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** Reads a response body as text and, when it parses, as JSON. */
export async function capture(response: Response): Promise<CapturedResponse> {
  const text = await response.text();
  let json: unknown;

  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }

  return { status: response.status, headers: response.headers, text, json };
}

/** A temporary data directory, a log capture and helpers around in-process registries. */
export class RegistryHarness {
  readonly root = mkdtempSync(path.join(tmpdir(), 'rokks-registry-'));
  readonly logs = new MemoryDestination();
  private readonly running = new Set<RunningRegistry>();

  get registryDir(): string {
    return path.join(this.root, 'registry');
  }

  /** Starts a registry on a free loopback port over the harness's data directory. */
  async start(env: Record<string, string> = {}): Promise<RunningRegistry> {
    const registry = await startRegistry({
      env: {
        ROKKS_DATA_DIR: this.root,
        ROKKS_REGISTRY_HOST: '127.0.0.1',
        ROKKS_REGISTRY_PORT: '0',
        ROKKS_LOG_LEVEL: 'debug',
        ...env,
      },
      logDestination: this.logs,
    });

    this.running.add(registry);

    return registry;
  }

  async stop(registry: RunningRegistry): Promise<void> {
    this.running.delete(registry);
    await registry.close();
  }

  /** Reads the development bootstrap token the registry wrote. */
  bootstrapToken(): string {
    return readFileSync(path.join(this.registryDir, 'bootstrap-token'), 'utf8').trim();
  }

  /** Sends a request that trusts the registry's CA but presents no client certificate. */
  async request(
    registry: RunningRegistry,
    relativePath: string,
    init: RequestInit = {},
  ): Promise<CapturedResponse> {
    const agent = new Agent({ connect: { ca: registry.state.authority.certificatePem } });

    try {
      return await capture(
        await fetch(`${registry.url}${relativePath}`, { ...init, dispatcher: agent }),
      );
    } finally {
      await agent.close();
    }
  }

  /** Stops every registry still running and deletes the data directory. */
  async dispose(): Promise<void> {
    for (const registry of this.running) {
      await registry.close();
    }

    this.running.clear();
    rmSync(this.root, { recursive: true, force: true });
  }

  /** Returns the log lines that contain any of the values. */
  linesContaining(values: readonly string[]): string[] {
    return this.logs.lines.filter((line) => values.some((value) => line.includes(value)));
  }
}
