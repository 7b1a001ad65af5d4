import { Injectable } from '@nestjs/common';

import { MeshClient, ServiceContext } from '@rokks/service-kit';

import { type HealthcheckSettings } from '../healthcheck.settings';
import { type ProbeOutcome } from './probe-outcome';

const MAX_ERROR_LENGTH = 300;

/** Terminus response body of a failed health check. */
interface TerminusBody {
  error?: Record<string, { status?: string; message?: unknown }>;
}

/**
 * Probes one instance's `/health` over mutual TLS with the healthcheck's
 * mesh certificate and the internal secret. HTTP 200 is up; anything else,
 * a connection failure or a time-out is down, with the reason.
 */
@Injectable()
export class InstanceProber {
  constructor(
    private readonly mesh: MeshClient,
    private readonly context: ServiceContext<HealthcheckSettings>,
  ) {}

  async probe(baseUrl: string): Promise<ProbeOutcome> {
    const timeoutMs = this.context.settings.probeTimeoutMs;
    const url = healthUrl(baseUrl);
    const startedAt = performance.now();
    const checkedAt = new Date().toISOString();

    try {
      const response = await this.mesh.fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      const body = await response.text();
      const latencyMs = elapsedSince(startedAt);

      if (response.status === 200) {
        return { url: baseUrl, status: 'up', latencyMs, checkedAt };
      }

      return {
        url: baseUrl,
        status: 'down',
        latencyMs,
        checkedAt,
        error: describeFailedResponse(response.status, body),
      };
    } catch (error) {
      return {
        url: baseUrl,
        status: 'down',
        latencyMs: elapsedSince(startedAt),
        checkedAt,
        error: describeError(error, timeoutMs),
      };
    }
  }
}

function healthUrl(baseUrl: string): URL {
  const url = new URL(baseUrl);

  url.pathname = `${url.pathname.replace(/\/+$/, '')}/health`;

  return url;
}

function elapsedSince(startedAt: number): number {
  return Math.round(performance.now() - startedAt);
}

function describeFailedResponse(status: number, body: string): string {
  let failedChecks: string[] = [];

  try {
    const parsed = JSON.parse(body) as TerminusBody;

    failedChecks = Object.entries(parsed.error ?? {}).map(([name, result]) =>
      typeof result.message === 'string' ? `${name} (${result.message})` : name,
    );
  } catch {
    // Not a Terminus body: the status alone describes the failure.
  }

  const detail = failedChecks.length > 0 ? `: down: ${failedChecks.join(', ')}` : '';

  return truncate(`HTTP ${status}${detail}`);
}

function describeError(error: unknown, timeoutMs: number): string {
  // Errors are recognized by name, not by class: the timeout's DOMException
  // and undici's errors may come from another realm (Jest runs tests in one).
  const name = readStringProperty(error, 'name');

  if (name === 'TimeoutError' || name === 'AbortError') {
    return `timed out after ${timeoutMs} ms`;
  }

  const message = readStringProperty(error, 'message') ?? String(error);
  // undici reports "fetch failed" and puts the socket error (ECONNREFUSED,
  // a TLS alert) in `cause`.
  const cause =
    typeof error === 'object' && error !== null
      ? readStringProperty((error as { cause?: unknown }).cause, 'message')
      : undefined;

  return truncate(cause === undefined ? message : `${message}: ${cause}`);
}

function readStringProperty(value: unknown, key: 'name' | 'message'): string | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }

  const property = (value as Record<string, unknown>)[key];

  return typeof property === 'string' ? property : undefined;
}

function truncate(text: string): string {
  return text.length <= MAX_ERROR_LENGTH ? text : `${text.slice(0, MAX_ERROR_LENGTH - 1)}…`;
}
