import { type Logger } from 'pino';

import { type RegistryClient } from '@rokks/bootstrap';

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

/**
 * Keeps the service registered with the registry: registers at start-up
 * and, when the registry cannot be reached (a service that started from its
 * cached identity), retries in the background with exponential backoff.
 * Once registered, `RegistryClient` sends the heartbeats and renews the
 * certificate.
 */
export class InstanceRegistration {
  private retryTimer?: NodeJS.Timeout;
  private stopped = false;
  private registeredId?: string;

  constructor(
    private readonly registry: RegistryClient,
    private readonly logger: Logger,
  ) {}

  /** The registry's id of this instance, once registered. */
  get instanceId(): string | undefined {
    return this.registeredId;
  }

  /** Tries to register once; on failure schedules retries and returns false. */
  async start(url: string): Promise<boolean> {
    return this.attempt(url, 1, FIRST_RETRY_MS);
  }

  /** Cancels pending retries, stops heartbeats and renewals, and deregisters. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.registry.stop();
  }

  private async attempt(url: string, attempt: number, nextDelayMs: number): Promise<boolean> {
    try {
      const registration = await this.registry.start(url);

      if (this.stopped) {
        // stop() ran while this registration was in flight: undo it.
        await this.registry.stop();

        return false;
      }

      this.registeredId = registration.instance.id;
      this.logger.info(
        {
          instanceId: registration.instance.id,
          url,
          heartbeatIntervalSeconds: registration.heartbeatIntervalSeconds,
        },
        'instance registered',
      );

      return true;
    } catch (error) {
      if (this.stopped) {
        return false;
      }

      this.logger.warn(
        { err: error, url, attempt, retryMs: nextDelayMs },
        'instance registration failed, retrying',
      );
      this.retryTimer = setTimeout(() => {
        void this.attempt(url, attempt + 1, Math.min(nextDelayMs * 2, MAX_RETRY_MS));
      }, nextDelayMs);
      this.retryTimer.unref();

      return false;
    }
  }
}
