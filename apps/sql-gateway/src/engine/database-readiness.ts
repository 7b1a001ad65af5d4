import { Injectable, type OnModuleInit } from '@nestjs/common';

import { ReadinessChecks } from '@rokks/service-kit';
import { SqlEngine } from '@rokks/sql-engine';

import { LoadSessions } from '../loads/load-sessions.service';

/** Time a readiness probe waits for `SELECT 1`. */
const CHECK_TIMEOUT_MS = 2000;

/** Registers the readiness check `database`, which runs `SELECT 1`. */
@Injectable()
export class DatabaseReadiness implements OnModuleInit {
  constructor(
    private readonly engine: SqlEngine,
    private readonly loads: LoadSessions,
    private readonly readiness: ReadinessChecks,
  ) {}

  onModuleInit(): void {
    this.readiness.register('database', () => this.check(), { timeoutMs: CHECK_TIMEOUT_MS });
  }

  private async check(): Promise<Record<string, unknown>> {
    const details = { backend: this.engine.backendKind, timescale: this.engine.timescale, openLoads: this.loads.openCount };

    // PGlite has one session, which an open load keeps until it ends, so a
    // probe would wait for the load and report a busy database as down.
    if (this.engine.backendKind === 'pglite' && details.openLoads > 0) {
      return details;
    }

    await this.engine.database.query('SELECT 1');

    return details;
  }
}
