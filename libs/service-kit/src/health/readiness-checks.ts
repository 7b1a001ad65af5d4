import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';

import { ServiceContext } from '../service-context';

/**
 * A check of one dependency: resolve (optionally with details to show) when
 * it is usable, throw when it is not. The error message appears in the
 * readiness response, so it must not contain secrets.
 */
export type ReadinessCheck = () =>
  Promise<Record<string, unknown> | void> | Record<string, unknown> | void;

export interface ReadinessCheckOptions {
  /** Time after which the check counts as failed, in milliseconds (default 2000). */
  timeoutMs?: number;
}

interface RegisteredCheck {
  name: string;
  check: ReadinessCheck;
  timeoutMs: number;
  /** Outcome of the previous run, to log changes only. */
  lastUp?: boolean;
}

const DEFAULT_TIMEOUT_MS = 2000;
const CHECK_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * The dependencies a service needs before it can serve (a database, a peer
 * service): modules register a check each, and `/health/ready` runs them
 * all. A change of a check's outcome is logged once, not on every probe.
 */
@Injectable()
export class ReadinessChecks {
  private readonly checks = new Map<string, RegisteredCheck>();

  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly context: ServiceContext,
  ) {}

  /**
   * Adds a dependency check under `name` (lowercase letters, digits and
   * hyphens, unique per service).
   */
  register(name: string, check: ReadinessCheck, options: ReadinessCheckOptions = {}): void {
    if (!CHECK_NAME.test(name)) {
      throw new TypeError(
        `Invalid readiness check name "${name}": use lowercase letters, digits and hyphens, starting with a letter.`,
      );
    }

    if (this.checks.has(name)) {
      throw new TypeError(`A readiness check named "${name}" is already registered.`);
    }

    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
      throw new RangeError(
        `Invalid timeout ${timeoutMs} ms for readiness check "${name}": use a positive integer.`,
      );
    }

    this.checks.set(name, { name, check, timeoutMs });
  }

  /** Names of the registered checks, in registration order. */
  names(): string[] {
    return [...this.checks.keys()];
  }

  /** Terminus indicator functions, one per registered check. */
  indicatorFunctions(): (() => Promise<HealthIndicatorResult>)[] {
    return [...this.checks.values()].map((registered) => () => this.run(registered));
  }

  private async run(registered: RegisteredCheck): Promise<HealthIndicatorResult> {
    const session = this.indicators.check(registered.name);
    const startedAt = performance.now();

    try {
      const details = await withTimeout(registered.check, registered.timeoutMs);
      const latencyMs = Math.round(performance.now() - startedAt);

      this.noteOutcome(registered, undefined);

      return session.up({ ...(details ?? {}), latencyMs });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);

      this.noteOutcome(registered, error);

      return session.down({ message });
    }
  }

  private noteOutcome(registered: RegisteredCheck, error: unknown): void {
    const up = error === undefined;

    if (registered.lastUp === up) {
      return;
    }

    if (up) {
      this.context.logger.info({ check: registered.name }, 'readiness check passed');
    } else {
      this.context.logger.warn({ check: registered.name, err: error }, 'readiness check failed');
    }

    registered.lastUp = up;
  }
}

async function withTimeout(
  check: ReadinessCheck,
  timeoutMs: number,
): Promise<Record<string, unknown> | void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });

  try {
    return await Promise.race([Promise.resolve().then(check), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
