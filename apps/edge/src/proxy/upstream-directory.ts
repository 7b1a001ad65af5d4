import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';

import { InjectPinoLogger, PinoLogger } from '@rokks/logging';
import { ServiceContext } from '@rokks/service-kit';

import { type EdgeSettings } from '../edge.settings';

// A missing service triggers a registry lookup at most this often.
const MIN_ON_DEMAND_REFRESH_MS = 1000;

/**
 * Directory of the backends' live instances. It starts from the identity's
 * peers and reads the registry's list every `discoveryIntervalMs`, and at
 * once (at most once a second) when a service has no instance or one failed.
 * Requests rotate over a service's instances.
 */
@Injectable()
export class UpstreamDirectory implements OnModuleInit, OnModuleDestroy {
  private instances = new Map<string, string[]>();
  private readonly nextIndex = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;
  private lastRefreshAt = 0;

  constructor(
    private readonly context: ServiceContext<EdgeSettings>,
    @InjectPinoLogger(UpstreamDirectory.name) private readonly logger: PinoLogger,
  ) {
    for (const [service, url] of Object.entries(context.identity.peers)) {
      this.instances.set(service, [url]);
    }
  }

  onModuleInit(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.context.settings.discoveryIntervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Returns a base URL of a live instance of `service`, or undefined when none is known. */
  async resolve(service: string): Promise<string | undefined> {
    if (
      (this.instances.get(service) ?? []).length === 0 &&
      Date.now() - this.lastRefreshAt > MIN_ON_DEMAND_REFRESH_MS
    ) {
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

  /** Notes that an instance could not be reached, so the list is read again soon. */
  reportFailure(service: string, url: string): void {
    this.logger.warn({ targetService: service, url }, 'backend instance unreachable');

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
      const listed = await this.context.registry.listInstances();
      const byService = new Map<string, { url: string; lastHeartbeatAt: string }[]>();

      for (const instance of listed) {
        const entries = byService.get(instance.service) ?? [];

        entries.push(instance);
        byService.set(instance.service, entries);
      }

      this.instances = new Map(
        [...byService].map(([service, entries]) => [
          service,
          entries
            .sort((left, right) => right.lastHeartbeatAt.localeCompare(left.lastHeartbeatAt))
            .map((entry) => entry.url),
        ]),
      );
    } catch (error) {
      // The last known instances stay in use.
      this.logger.warn({ err: error }, 'listing service instances from the registry failed');
    }
  }
}
