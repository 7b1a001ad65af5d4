import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '@rokks/auth-guard';
import { type RunningService } from '@rokks/service-kit';
import { TestPlatform, TestTokenIssuer, type TestTokenOptions } from '@rokks/testing';

import { EDGE_SERVICE } from '../edge-service';
import { StandInBackendModule, StandInHealthcheckModule } from './stand-in-backend';

/** A response read whole, for assertions. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

/**
 * A registry with a known JWT key, stand-ins for sql-gateway, worker,
 * data-transform, doc-gateway and healthcheck, and the edge, all in this
 * process. Requests go to the edge's public listener with `node:http`, so
 * paths are sent exactly as written (fetch would normalize them).
 */
export class EdgeTestHarness {
  private constructor(
    readonly platform: TestPlatform,
    readonly edge: RunningService,
    readonly tokens: TestTokenIssuer,
    readonly spaDir: string,
  ) {}

  static async start(edgeEnv: Record<string, string> = {}): Promise<EdgeTestHarness> {
    const tokens = TestTokenIssuer.create();
    const platform = await TestPlatform.start({ registryEnv: tokens.registryEnv });
    const spaDir = mkdtempSync(path.join(tmpdir(), 'rokks-spa-'));

    writeFileSync(path.join(spaDir, 'index.html'), '<!doctype html><title>Rokks</title>');
    writeFileSync(path.join(spaDir, 'app.js'), 'console.log("rokks");');

    try {
      for (const service of ['sql-gateway', 'worker', 'data-transform', 'doc-gateway']) {
        await platform.startService({
          service,
          module: StandInBackendModule,
          description: `Stand-in for ${service}.`,
          userTokens: { issuer: ACCESS_TOKEN_ISSUER, audience: ACCESS_TOKEN_AUDIENCE },
        });
      }

      await platform.startService({
        service: 'healthcheck',
        module: StandInHealthcheckModule,
        description: 'Stand-in.',
      });

      const edge = (await platform.startService({
        ...EDGE_SERVICE,
        env: {
          ROKKS_EDGE_CLOCK_SKEW_SECONDS: '0',
          ROKKS_EDGE_DISCOVERY_INTERVAL_MS: '500',
          ROKKS_EDGE_SPA_DIR: spaDir,
          ...edgeEnv,
        },
      })) as unknown as RunningService;

      return new EdgeTestHarness(platform, edge, tokens, spaDir);
    } catch (error) {
      await platform.dispose();
      throw error;
    }
  }

  get publicPort(): number {
    return this.edge.endpoints.publicPort as number;
  }

  sign(options: TestTokenOptions = {}): Promise<string> {
    return this.tokens.sign(options);
  }

  /**
   * Sends one request to the edge's public listener. `headers` may be a
   * flat list of name/value pairs, to send a header twice.
   */
  send(
    method: string,
    target: string,
    options: {
      headers?: Record<string, string> | string[];
      body?: string | Buffer;
      token?: string;
    } = {},
  ): Promise<RawResponse> {
    // Node adds no Host header when headers come as a list.
    const headers = ['host', `127.0.0.1:${this.publicPort}`];

    headers.push(
      ...(Array.isArray(options.headers)
        ? options.headers
        : Object.entries(options.headers ?? {}).flat()),
    );

    if (options.token !== undefined) {
      headers.push('authorization', `Bearer ${options.token}`);
    }

    if (options.body !== undefined) {
      headers.push('content-length', String(Buffer.byteLength(options.body)));

      if (
        !headers.some((name, index) => index % 2 === 0 && name.toLowerCase() === 'content-type')
      ) {
        headers.push('content-type', 'application/json');
      }
    }

    return new Promise((resolve, reject) => {
      const request = httpRequest(
        { host: '127.0.0.1', port: this.publicPort, method, path: target, headers, agent: false },
        (response) => {
          const chunks: Buffer[] = [];

          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');

            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body,
              json: <T>() => JSON.parse(body) as T,
            });
          });
          response.on('error', reject);
        },
      );

      request.on('error', reject);
      request.end(options.body);
    });
  }

  async dispose(): Promise<void> {
    await this.platform.dispose();
  }
}
