import { Injectable } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';

import { RegistryState } from '../registry-state';

/** Reports the registry database as up when a trivial query succeeds. */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly state: RegistryState,
    private readonly health: HealthIndicatorService,
  ) {}

  check(key = 'database'): HealthIndicatorResult {
    const indicator = this.health.check(key);

    try {
      this.state.database.prepare('SELECT 1').get();

      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
