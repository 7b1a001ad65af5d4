import { type HealthStatus, type ProbeOutcome } from '../probes/probe-outcome';

/** One probe round's verdict on a service, as kept in its history. */
export interface HealthHistoryEntry {
  at: string;
  status: 'up' | 'down';
  latencyMs: number | null;
  error: string | null;
}

/** Health of one service in the aggregate report. */
export interface ServiceHealthView {
  service: string;
  /** Whether the service is in the service map (others registered on their own). */
  expected: boolean;
  status: HealthStatus;
  /** When the current status began (for `unknown`: when the healthcheck started). */
  since: string;
  lastCheckedAt: string | null;
  /** Latency of the fastest healthy instance, or of the failed probe, in milliseconds. */
  latencyMs: number | null;
  /** The most recent failure, kept after the service recovers. */
  lastError: string | null;
  lastErrorAt: string | null;
  instances: ProbeOutcome[];
}

/** A service's view plus its recent probe results, oldest first. */
export interface ServiceHealthDetail extends ServiceHealthView {
  history: HealthHistoryEntry[];
}

/** The aggregate that the edge publishes. */
export interface HealthReport {
  /** `up` when every expected service is up, otherwise `degraded`. */
  status: 'up' | 'degraded';
  /** End of the latest probe round, or null before the first. */
  checkedAt: string | null;
  probeIntervalMs: number;
  counts: Record<HealthStatus, number>;
  services: ServiceHealthView[];
}

/** A status change that a round caused, for logging. */
export interface StatusChange {
  service: string;
  previous: HealthStatus;
  current: 'up' | 'down';
  error: string | null;
}

interface ServiceState {
  view: ServiceHealthView;
  history: HealthHistoryEntry[];
}

/**
 * Probe results per service: the current status with the time it began,
 * the latest error and a bounded history. Services of the map start as
 * `unknown` and stay so until the first probe or the first time they are
 * found missing after having been seen.
 */
export class ServiceHealthStore {
  private readonly states = new Map<string, ServiceState>();
  private lastRoundAt: string | null = null;

  constructor(
    private readonly expected: readonly string[],
    private readonly historySize: number,
    private readonly probeIntervalMs: number,
    startedAt = new Date(),
  ) {
    for (const service of expected) {
      this.states.set(service, newState(service, true, startedAt.toISOString()));
    }
  }

  /** Whether the service was ever probed (so a missing instance now means it went away). */
  wasSeen(service: string): boolean {
    return (this.states.get(service)?.view.lastCheckedAt ?? null) !== null;
  }

  /** Whether a service of the map has not been probed yet. */
  hasUnknownExpected(): boolean {
    return this.expected.some((service) => this.states.get(service)?.view.status === 'unknown');
  }

  /** Records one round's probes of a service's instances; returns the status change, if any. */
  recordProbes(service: string, outcomes: ProbeOutcome[], at: string): StatusChange | undefined {
    const healthy = outcomes.filter((outcome) => outcome.status === 'up');
    const failed = outcomes.filter((outcome) => outcome.status === 'down');
    const status = healthy.length > 0 ? 'up' : 'down';
    const latencies = (healthy.length > 0 ? healthy : outcomes).map((outcome) => outcome.latencyMs);
    const error =
      failed.length === 0
        ? null
        : failed
            .map((outcome) =>
              outcomes.length > 1
                ? `${outcome.url}: ${outcome.error}`
                : (outcome.error ?? 'failed'),
            )
            .join('; ');

    return this.record(
      service,
      {
        status,
        latencyMs: latencies.length > 0 ? Math.min(...latencies) : null,
        error,
        instances: outcomes,
      },
      at,
    );
  }

  /** Records that a service seen before has no live instance in the registry any more. */
  recordMissing(service: string, at: string): StatusChange | undefined {
    return this.record(
      service,
      {
        status: 'down',
        latencyMs: null,
        error: 'no live instance in the registry: deregistered, or heartbeats stopped',
        instances: [],
      },
      at,
    );
  }

  /** Marks the end of a probe round. */
  finishRound(at: string): void {
    this.lastRoundAt = at;
  }

  /** Services with state, the expected ones first in map order. */
  services(): string[] {
    const extra = [...this.states.keys()]
      .filter((service) => !this.expected.includes(service))
      .sort();

    return [...this.expected, ...extra];
  }

  report(): HealthReport {
    const services = this.services().map((service) => this.viewOf(service));
    const counts: Record<HealthStatus, number> = { up: 0, down: 0, unknown: 0 };

    for (const view of services) {
      counts[view.status] += 1;
    }

    const allUp = services.every((view) => !view.expected || view.status === 'up');

    return {
      status: allUp ? 'up' : 'degraded',
      checkedAt: this.lastRoundAt,
      probeIntervalMs: this.probeIntervalMs,
      counts,
      services,
    };
  }

  detail(service: string): ServiceHealthDetail | undefined {
    const state = this.states.get(service);

    return state === undefined
      ? undefined
      : { ...this.viewOf(service), history: [...state.history] };
  }

  private viewOf(service: string): ServiceHealthView {
    const view = (this.states.get(service) as ServiceState).view;

    return { ...view, instances: [...view.instances] };
  }

  private record(
    service: string,
    result: {
      status: 'up' | 'down';
      latencyMs: number | null;
      error: string | null;
      instances: ProbeOutcome[];
    },
    at: string,
  ): StatusChange | undefined {
    let state = this.states.get(service);

    if (state === undefined) {
      state = newState(service, false, at);
      this.states.set(service, state);
    }

    const view = state.view;
    const previous = view.status;

    if (previous !== result.status) {
      view.since = at;
    }

    view.status = result.status;
    view.lastCheckedAt = at;
    view.latencyMs = result.latencyMs;
    view.instances = result.instances;

    if (result.error !== null) {
      view.lastError = result.error;
      view.lastErrorAt = at;
    }

    state.history.push({
      at,
      status: result.status,
      latencyMs: result.latencyMs,
      error: result.error,
    });

    if (state.history.length > this.historySize) {
      state.history.splice(0, state.history.length - this.historySize);
    }

    return previous === result.status
      ? undefined
      : { service, previous, current: result.status, error: result.error };
  }
}

function newState(service: string, expected: boolean, since: string): ServiceState {
  return {
    view: {
      service,
      expected,
      status: 'unknown',
      since,
      lastCheckedAt: null,
      latencyMs: null,
      lastError: null,
      lastErrorAt: null,
      instances: [],
    },
    history: [],
  };
}
