import { Injectable, type OnModuleDestroy } from '@nestjs/common';

import { ReadinessChecks, ServiceContext } from '@rokks/service-kit';

import { type AuthSettings } from '../auth.settings';
import { LoginThrottle } from '../login/login-throttle';
import { SessionStore } from '../sessions/session.store';
import { UserStore } from '../users/user.store';
import { type AuthDatabase, openAuthDatabase } from './auth-database';

// Ended sessions and old login attempts are deleted on this period.
const PRUNE_INTERVAL_MS = 10 * 60 * 1000;
// Ended sessions stay this long, so a late reuse of their tokens is still recognised.
const ENDED_SESSION_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** The auth database and the stores over it; closed with the application. */
@Injectable()
export class AuthStorage implements OnModuleDestroy {
  readonly database: AuthDatabase;
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly throttle: LoginThrottle;
  private readonly pruneTimer: NodeJS.Timeout;

  constructor(context: ServiceContext<AuthSettings>, readiness: ReadinessChecks) {
    const settings = context.settings;

    this.database = openAuthDatabase(context.serviceDataDir);
    this.users = new UserStore(this.database);
    this.sessions = new SessionStore(this.database);
    this.throttle = new LoginThrottle(this.database, {
      clientMaxAttempts: settings.loginClientMaxAttempts,
      clientWindowSeconds: settings.loginClientWindowSeconds,
      accountMaxFailures: settings.loginAccountMaxFailures,
      lockoutSeconds: settings.loginLockoutSeconds,
    });
    readiness.register('database', () => {
      this.database.prepare('SELECT 1').get();
    });
    this.pruneTimer = setInterval(() => {
      try {
        this.throttle.prune();
        this.sessions.prune(ENDED_SESSION_RETENTION_MS);
        this.database.prepare('DELETE FROM oidc_flows WHERE expires_at < ?').run(Date.now());
      } catch (error) {
        context.logger.warn({ err: error }, 'pruning the auth database failed');
      }
    }, PRUNE_INTERVAL_MS);
    this.pruneTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.pruneTimer);
    this.database.close();
  }
}
