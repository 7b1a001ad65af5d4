import { X509Certificate } from 'node:crypto';

import { type MeshFetch, meshFetch } from '@rokks/mesh';

import { type BootstrapLogger } from './bootstrap-service';
import { BootstrapError } from './bootstrap.errors';
import { writeIdentityCache } from './identity-cache';
import { registryEndpoint, requestIdentity, verifyIdentity } from './registry-transport';
import {
  type InstanceRegistration,
  type ServiceIdentity,
  type ServiceInstanceInfo,
} from './service-identity';

export interface RegistryClientOptions {
  logger: BootstrapLogger & { error(object: object, message: string): void };
  /** The service's data directory: renewed identities are cached there too. */
  dataDir?: string;
  /** Time limit of each request in ms (default 5000). */
  requestTimeoutMs?: number;
  /** Fraction of the certificate's lifetime after which it is renewed (default 2/3). */
  renewAtFraction?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 5000;
const MAX_RENEWAL_RETRY_MS = 60_000;

/**
 * Talks to the registry as an enrolled service, over mutual TLS with the
 * service's certificate and the internal secret: registers the instance,
 * sends heartbeats, lists live instances and renews the certificate before it
 * expires. `start()` runs the heartbeats and renewals on timers; `stop()` ends
 * them and deregisters.
 */
export class RegistryClient {
  private current: ServiceIdentity;
  private fetcher: MeshFetch;
  private registeredUrl?: string;
  private instanceId?: string;
  private heartbeatTimer?: NodeJS.Timeout;
  private renewalTimer?: NodeJS.Timeout;
  private readonly renewalListeners: ((identity: ServiceIdentity) => void)[] = [];

  constructor(
    identity: ServiceIdentity,
    private readonly options: RegistryClientOptions,
  ) {
    this.current = identity;
    this.fetcher = meshFetch(identity);
  }

  /** The identity in use: the one passed in, or the latest renewal. */
  get identity(): ServiceIdentity {
    return this.current;
  }

  /** Calls `listener` with each renewed identity (update the server's TLS context there). */
  onIdentityRenewed(listener: (identity: ServiceIdentity) => void): void {
    this.renewalListeners.push(listener);
  }

  /** Registers this instance under its public HTTPS URL. */
  async register(url: string): Promise<InstanceRegistration> {
    const registration = (await this.callJson('POST', 'instances', {
      url,
    })) as InstanceRegistration;

    this.registeredUrl = url;
    this.instanceId = registration.instance.id;

    return registration;
  }

  /**
   * Sends a heartbeat; when the registry has no record of the instance
   * (it expired, or the registry lost its data), registers it again.
   */
  async heartbeat(): Promise<void> {
    if (this.instanceId === undefined || this.registeredUrl === undefined) {
      throw new BootstrapError(
        'INVALID_OPTIONS',
        'Register the instance before sending heartbeats.',
      );
    }

    const response = await this.call(
      'POST',
      `instances/${encodeURIComponent(this.instanceId)}/heartbeat`,
    );

    if (response.status === 404) {
      await response.body?.cancel();
      this.options.logger.warn(
        { service: this.current.service, instanceId: this.instanceId },
        'instance unknown to the registry, registering again',
      );
      await this.register(this.registeredUrl);

      return;
    }

    await this.expectOk(response, 'heartbeat');
  }

  /** Removes this instance from the registry; does nothing when it is not registered. */
  async deregister(): Promise<void> {
    if (this.instanceId === undefined) {
      return;
    }

    const response = await this.call('DELETE', `instances/${encodeURIComponent(this.instanceId)}`);

    this.instanceId = undefined;

    if (response.status !== 404) {
      await this.expectOk(response, 'deregister');
    }
  }

  async listInstances(): Promise<ServiceInstanceInfo[]> {
    return (await this.callJson('GET', 'instances')) as ServiceInstanceInfo[];
  }

  /** Fetches a new certificate (and current configuration, secrets and peers) over mutual TLS. */
  async renew(): Promise<ServiceIdentity> {
    const response = await requestIdentity(
      registryEndpoint(this.current.registryUrl, 'bootstrap/renew'),
      { method: 'POST', timeoutMs: this.timeoutMs },
      this.fetcher,
    );

    verifyIdentity(response, {
      service: this.current.service,
      caFingerprint: this.current.caFingerprint,
    });

    const renewed: ServiceIdentity = {
      ...response,
      registryUrl: this.current.registryUrl,
      source: 'registry',
    };
    const previousFetcher = this.fetcher;

    this.current = renewed;
    this.fetcher = meshFetch(renewed);
    await previousFetcher.close();

    if (this.options.dataDir !== undefined) {
      writeIdentityCache(this.options.dataDir, renewed);
    }

    for (const listener of this.renewalListeners) {
      listener(renewed);
    }

    return renewed;
  }

  /**
   * Registers the instance, then sends heartbeats at the interval the registry
   * suggests and renews the certificate at `renewAtFraction` of its lifetime.
   * Timers do not keep the process alive.
   */
  async start(url: string): Promise<InstanceRegistration> {
    const registration = await this.register(url);

    this.heartbeatTimer = setInterval(
      () => void this.heartbeatSafely(),
      registration.heartbeatIntervalSeconds * 1000,
    );
    this.heartbeatTimer.unref();
    this.scheduleRenewal(renewalDelayMs(this.current, this.options.renewAtFraction ?? 2 / 3));

    return registration;
  }

  /** Stops the timers, deregisters the instance and closes the connections. */
  async stop(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.renewalTimer);

    try {
      await this.deregister();
    } finally {
      await this.fetcher.close();
    }
  }

  private get timeoutMs(): number {
    return this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  private scheduleRenewal(delayMs: number): void {
    clearTimeout(this.renewalTimer);
    this.renewalTimer = setTimeout(() => void this.renewSafely(), delayMs);
    this.renewalTimer.unref();
  }

  private async renewSafely(): Promise<void> {
    try {
      const renewed = await this.renew();

      this.options.logger.info(
        { service: renewed.service, expiresAt: renewed.expiresAt },
        'certificate renewed',
      );
      this.scheduleRenewal(renewalDelayMs(renewed, this.options.renewAtFraction ?? 2 / 3));
    } catch (error) {
      const remainingMs = Date.parse(this.current.expiresAt) - Date.now();
      const retryMs = Math.max(1000, Math.min(MAX_RENEWAL_RETRY_MS, remainingMs / 4));

      this.options.logger.error(
        { service: this.current.service, err: error, expiresAt: this.current.expiresAt, retryMs },
        'certificate renewal failed, retrying',
      );
      this.scheduleRenewal(retryMs);
    }
  }

  private async heartbeatSafely(): Promise<void> {
    try {
      await this.heartbeat();
    } catch (error) {
      this.options.logger.warn(
        { service: this.current.service, instanceId: this.instanceId, err: error },
        'heartbeat failed',
      );
    }
  }

  private async call(method: string, relativePath: string, body?: unknown) {
    return this.fetcher(registryEndpoint(this.current.registryUrl, relativePath), {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
  }

  private async callJson(method: string, relativePath: string, body?: unknown): Promise<unknown> {
    const response = await this.call(method, relativePath, body);

    await this.expectOk(response, `${method} /${relativePath}`, false);

    return response.json();
  }

  private async expectOk(
    response: Awaited<ReturnType<MeshFetch>>,
    operation: string,
    discardBody = true,
  ): Promise<void> {
    if (!response.ok) {
      const detail = (await response.text()).slice(0, 300);

      throw new BootstrapError(
        'REQUEST_REJECTED',
        `The registry rejected ${operation} for service "${this.current.service}" with HTTP ${response.status}: ${detail}`,
      );
    }

    if (discardBody) {
      await response.body?.cancel();
    }
  }
}

/**
 * Returns the delay until `fraction` of the certificate's validity has passed
 * (from its notBefore to its notAfter), or 0 when that point is behind us.
 */
export function renewalDelayMs(
  identity: Pick<ServiceIdentity, 'certificatePem'>,
  fraction: number,
  now = Date.now(),
): number {
  const certificate = new X509Certificate(identity.certificatePem);
  const notBefore = Date.parse(certificate.validFrom);
  const notAfter = Date.parse(certificate.validTo);

  return Math.max(0, notBefore + (notAfter - notBefore) * fraction - now);
}
