import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';

import { ReadinessChecks, ServiceContext } from '@rokks/service-kit';

import { type HealthcheckSettings } from '../healthcheck.settings';
import { ServiceHealthStore, type StatusChange } from '../reports/service-health.store';
import { InstanceProber } from './instance-prober';

// While services of the map are still unknown shortly after the healthcheck
// starts (the whole stack is starting), rounds run at most this far apart so
// the report turns complete soon after the last service registers.
const STARTUP_INTERVAL_MS = 1000;
const STARTUP_PHASE_MS = 60_000;

/** Outcome of the latest attempt to list instances from the registry. */
interface ListingState {
  at: string;
  error?: string;
}

/**
 * Runs a probe round every `probeIntervalMs`: lists the live instances
 * from the registry, probes the registry and every instance in parallel,
 * and records the results. In the first minute, while services of the map
 * are still unknown, rounds start at least every second. When the registry
 * cannot list instances, the instances of the last successful listing are
 * probed. Rounds never overlap.
 */
@Injectable()
export class ProbeScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private running?: Promise<void>;
  private knownInstances = new Map<string, string[]>();
  private listing?: ListingState;
  private readonly startedAt = Date.now();

  constructor(
    private readonly store: ServiceHealthStore,
    private readonly prober: InstanceProber,
    private readonly context: ServiceContext<HealthcheckSettings>,
    readiness: ReadinessChecks,
  ) {
    readiness.register('registry', () => this.checkListing());
  }

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Runs one probe round now (the timer runs them otherwise). */
  async runRound(): Promise<void> {
    const instances = await this.listInstances();
    const services = new Set([...this.store.services(), ...instances.keys()]);

    await Promise.all(
      [...services].map((service) => this.probeService(service, instances.get(service) ?? [])),
    );
    this.store.finishRound(new Date().toISOString());
  }

  private schedule(delayMs: number): void {
    if (this.stopped) {
      return;
    }

    this.timer = setTimeout(() => {
      const startedAt = Date.now();

      this.running = this.runRound()
        .catch((error: unknown) => {
          this.context.logger.error({ err: error }, 'probe round failed');
        })
        .finally(() => {
          this.running = undefined;
          this.schedule(
            Math.max(0, this.context.settings.probeIntervalMs - (Date.now() - startedAt)),
          );
        });
    }, delayMs);
  }

  private currentIntervalMs(): number {
    const interval = this.context.settings.probeIntervalMs;
    const starting =
      Date.now() - this.startedAt < STARTUP_PHASE_MS && this.store.hasUnknownExpected();

    return starting ? Math.min(interval, STARTUP_INTERVAL_MS) : interval;
  }

  private async probeService(service: string, urls: string[]): Promise<void> {
    const targets = service === 'registry' ? [this.context.identity.registryUrl] : urls;

    if (targets.length === 0) {
      if (this.store.wasSeen(service)) {
        this.logChange(this.store.recordMissing(service, new Date().toISOString()));
      }

      return;
    }

    const outcomes = await Promise.all(targets.map((url) => this.prober.probe(url)));

    this.logChange(this.store.recordProbes(service, outcomes, new Date().toISOString()));
  }

  private async listInstances(): Promise<Map<string, string[]>> {
    const at = new Date().toISOString();

    try {
      const listed = await this.context.registry.listInstances();
      const instances = new Map<string, string[]>();

      for (const instance of listed) {
        instances.set(instance.service, [...(instances.get(instance.service) ?? []), instance.url]);
      }

      if (this.listing?.error !== undefined) {
        this.context.logger.info(
          { services: instances.size },
          'registry instance list available again',
        );
      }

      this.knownInstances = instances;
      this.listing = { at };

      return instances;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);

      if (this.listing?.error === undefined) {
        this.context.logger.warn(
          { err: error },
          'listing instances failed, probing the last known instances',
        );
      }

      this.listing = { at, error: message };

      return this.knownInstances;
    }
  }

  private checkListing(): Record<string, unknown> {
    if (this.listing?.error !== undefined) {
      throw new Error(`listing instances failed at ${this.listing.at}: ${this.listing.error}`);
    }

    return { listedAt: this.listing?.at ?? null };
  }

  private logChange(change: StatusChange | undefined): void {
    if (change === undefined) {
      return;
    }

    const fields = {
      targetService: change.service,
      previous: change.previous,
      status: change.current,
      error: change.error ?? undefined,
    };

    if (change.current === 'up') {
      this.context.logger.info(fields, 'service is up');
    } else {
      this.context.logger.warn(fields, 'service is down');
    }
  }
}
