import { type Logger } from 'pino';

import { GatewayError } from './gateway-error';

/** A live instance, as the registry lists it. */
export interface ListedInstance {
  service: string;
  url: string;
  lastHeartbeatAt: string;
}

/** The part of the registry client the directory uses; `RegistryClient` from `@rokks/bootstrap` fits. */
export interface InstanceLister {
  listInstances(): Promise<ListedInstance[]>;
}

export interface ServiceDirectoryOptions {
  registry: InstanceLister;
  /** Known base URLs by service, used until the first listing arrives (the identity's `peers`). */
  peers?: Record<string, string>;
  /** How often the instance list is read again, in milliseconds; default 10,000. */
  refreshIntervalMs?: number;
  logger?: Logger;
}

const DEFAULT_REFRESH_INTERVAL_MS = 10_000;

// A service without instances triggers a registry read at most this often.
const MIN_ON_DEMAND_REFRESH_MS = 1000;

/**
 * The live instances of the platform's services, read from the registry.
 * It reads the list every `refreshIntervalMs` once started, and at once (at
 * most once a second) when a service has no instance or one failed. Calls
 * rotate over a service's instances, the most recent heartbeat first.
 */
export class ServiceDirectory {
  private instances = new Map<string, string[]>();
  private readonly nextIndex = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private lastRefreshAt = 0;

  constructor(private readonly options: ServiceDirectoryOptions) {
    for (const [service, url] of Object.entries(options.peers ?? {})) {
      this.instances.set(service, [url]);
    }
  }

  /** Reads the list now and then every `refreshIntervalMs`; the timer does not keep the process alive. */
  start(): void {
    if (this.timer !== undefined) {
      return;
    }

    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.refreshIntervalMs ?? DEFAULT_REFRESH_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Returns a base URL of a live instance of `service`, or undefined when none is known. */
  async resolve(service: string): Promise<string | undefined> {
    if ((this.instances.get(service) ?? []).length === 0 && Date.now() - this.lastRefreshAt > MIN_ON_DEMAND_REFRESH_MS) {
      await this.refresh();
    }

    const urls = this.instances.get(service) ?? [];

    if (urls.length === 0) {
      return undefined;
    }

    const index = (this.nextIndex.get(service) ?? 0) % urls.length;

    this.nextIndex.set(service, index + 1);

    return urls[index];
  }

  /**
   * Returns a function for `GatewayConnection.baseUrl` that resolves
   * `service` on each call and throws a retryable `GatewayError` (status
   * null) while the registry lists no instance of it.
   */
  resolver(service: string): () => Promise<string> {
    return async () => {
      const url = await this.resolve(service);

      if (url === undefined) {
        throw new GatewayError(service, null, `No instance of ${service} is registered; start ${service} or try again later.`);
      }

      return url;
    };
  }

  /** Notes that an instance could not be reached, so the list is read again soon. */
  reportFailure(service: string, url: string): void {
    this.options.logger?.warn({ targetService: service, url }, 'service instance unreachable');

    if (Date.now() - this.lastRefreshAt > MIN_ON_DEMAND_REFRESH_MS) {
      void this.refresh();
    }
  }

  /** Reads the live instances from the registry; concurrent calls share one request. */
  refresh(): Promise<void> {
    this.refreshing ??= this.readInstances().finally(() => {
      this.refreshing = undefined;
    });

    return this.refreshing;
  }

  private async readInstances(): Promise<void> {
    this.lastRefreshAt = Date.now();

    try {
      const byService = new Map<string, ListedInstance[]>();

      for (const instance of await this.options.registry.listInstances()) {
        const entries = byService.get(instance.service) ?? [];

        entries.push(instance);
        byService.set(instance.service, entries);
      }

      this.instances = new Map(
        [...byService].map(([service, entries]) => [
          service,
          entries.sort((left, right) => right.lastHeartbeatAt.localeCompare(left.lastHeartbeatAt)).map((entry) => entry.url),
        ]),
      );
    } catch (error) {
      // The last known instances stay in use.
      this.options.logger?.warn({ err: error }, 'listing service instances from the registry failed');
    }
  }
}
