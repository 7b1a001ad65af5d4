import {
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

import { InjectPinoLogger, PinoLogger } from '@rokks/logging';
import { updateServerIdentity } from '@rokks/mesh';

import { RegistryServerIdentity } from './registry-server-identity';
import { RegistryState } from './registry-state';

const RENEW_AT_FRACTION = 2 / 3;
const RENEWAL_RETRY_MS = 60_000;

/**
 * Background work of a running registry: deletes expired instances every TTL,
 * renews the registry's own certificate at two thirds of its lifetime, and
 * closes the database once the HTTP server has stopped.
 */
@Injectable()
export class RegistryMaintenance implements OnApplicationBootstrap, OnApplicationShutdown {
  private purgeTimer?: NodeJS.Timeout;
  private renewalTimer?: NodeJS.Timeout;

  constructor(
    private readonly state: RegistryState,
    private readonly serverIdentity: RegistryServerIdentity,
    private readonly adapterHost: HttpAdapterHost,
    @InjectPinoLogger(RegistryMaintenance.name) private readonly logger: PinoLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.purgeTimer = setInterval(() => this.purgeExpiredInstances(), this.state.instances.ttlMs);
    this.purgeTimer.unref();
    this.scheduleRenewal();
  }

  onApplicationShutdown(signal?: string): void {
    clearInterval(this.purgeTimer);
    clearTimeout(this.renewalTimer);
    this.state.close();
    this.logger.info({ signal }, 'registry stopped');
  }

  private purgeExpiredInstances(): void {
    try {
      const purged = this.state.instances.purgeExpired();

      if (purged > 0) {
        this.logger.info({ purged }, 'expired instances removed');
      }
    } catch (error) {
      this.logger.error({ err: error }, 'removing expired instances failed');
    }
  }

  private scheduleRenewal(delayMs?: number): void {
    const { notBefore, notAfter } = this.serverIdentity;
    const renewAt =
      notBefore.getTime() + (notAfter.getTime() - notBefore.getTime()) * RENEW_AT_FRACTION;

    this.renewalTimer = setTimeout(
      () => void this.renewCertificate(),
      delayMs ?? Math.max(0, renewAt - Date.now()),
    );
    this.renewalTimer.unref();
  }

  private async renewCertificate(): Promise<void> {
    try {
      const identity = await this.serverIdentity.renew();

      updateServerIdentity(this.adapterHost.httpAdapter.getHttpServer(), identity);
      this.logger.info(
        { expiresAt: this.serverIdentity.notAfter.toISOString() },
        'registry certificate renewed',
      );
      this.scheduleRenewal();
    } catch (error) {
      this.logger.error(
        { err: error, retryMs: RENEWAL_RETRY_MS },
        'registry certificate renewal failed',
      );
      this.scheduleRenewal(RENEWAL_RETRY_MS);
    }
  }
}
