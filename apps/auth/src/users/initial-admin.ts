import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';

import { type AuditRecordRequest, WorkerAuditRecorder } from '@rokks/gateway-clients';
import { InjectPinoLogger, PinoLogger, registerSecretValue } from '@rokks/logging';
import { ServiceContext } from '@rokks/service-kit';

import { type AuthSettings } from '../auth.settings';
import { DEFAULT_WORKSPACE } from '../sessions/sign-in.service';
import { AuthStorage } from '../storage/auth-storage';
import { assertAcceptablePassword, PasswordHasher } from './password-hasher';

/** E-mail of the first administrator when `ROKKS_ADMIN_EMAIL` is unset. */
export const DEFAULT_ADMIN_EMAIL = 'admin@rokks.local';

const CREATED_MARK = 'initial-admin-created';

/**
 * The `service_state` row that keeps the audit entry of the creation until
 * the worker stored it. The administrator is created at first start, often
 * before the worker runs, and a restart must not lose the entry.
 */
const AUDIT_PENDING_MARK = 'initial-admin-audit-pending';

/** Pause between two rounds of sending the pending audit entry. Each round retries for several seconds on its own. */
const AUDIT_RETRY_INTERVAL_MS = 5_000;

/** Actor of the creation: the service itself at first start, on no user's request. */
export const INITIAL_ADMIN_ACTOR = 'system';

/**
 * Creates the first administrator when the database has never had one. A
 * generated password is printed once, as one block on standard output. It
 * bypasses the logger, because the scrubber would hide it, and it is never
 * stored in clear or shown again. `ROKKS_ADMIN_EMAIL` and `ROKKS_ADMIN_PASSWORD`
 * set the credentials instead, and are ignored once the administrator exists.
 */
@Injectable()
export class InitialAdmin implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly stopping = new AbortController();
  private auditDelivery: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: AuthStorage,
    private readonly hasher: PasswordHasher,
    private readonly context: ServiceContext<AuthSettings>,
    @InjectPinoLogger(InitialAdmin.name) private readonly logger: PinoLogger,
    private readonly audit: WorkerAuditRecorder,
  ) {}

  async onModuleInit(): Promise<void> {
    const database = this.storage.database;
    const marked =
      database.prepare('SELECT 1 FROM service_state WHERE name = ?').get(CREATED_MARK) !==
      undefined;

    if (marked || this.storage.users.count() > 0) {
      return;
    }

    const settings = this.context.settings;
    const email = settings.adminEmail ?? DEFAULT_ADMIN_EMAIL;
    const generated = settings.adminPassword === undefined;
    const password = settings.adminPassword ?? randomBytes(18).toString('base64url');

    assertAcceptablePassword(password, email);
    registerSecretValue(password);

    const passwordHash = await this.hasher.hash(password);
    const user = database.transaction(() => {
      const created = this.storage.users.create({
        email,
        passwordHash,
        workspace: DEFAULT_WORKSPACE,
        roles: ['admin'],
      });

      const createdAt = new Date().toISOString();
      const entry: AuditRecordRequest = {
        actor: INITIAL_ADMIN_ACTOR,
        action: 'user.created',
        target: created.id,
        details: {
          workspace: DEFAULT_WORKSPACE,
          roles: ['admin'],
          hasPassword: true,
          initialAdmin: true,
          passwordGenerated: generated,
          createdAt,
        },
      };
      const insertState = database.prepare('INSERT INTO service_state (name, value) VALUES (?, ?)');

      insertState.run(CREATED_MARK, createdAt);
      insertState.run(AUDIT_PENDING_MARK, JSON.stringify(entry));

      return created;
    })();

    this.logger.info(
      { userId: user.id, passwordGenerated: generated },
      'initial administrator created',
    );

    if (generated) {
      process.stdout.write(credentialsBlock(email, password));
    }
  }

  /** Starts sending the audit entry of the creation, when the worker has not stored it yet. */
  onApplicationBootstrap(): void {
    this.auditDelivery = this.deliverPendingAudit();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    await this.auditDelivery;
  }

  /**
   * Sends the pending audit entry until the worker stores it or the service
   * stops, and then removes it from the database. An entry still pending at
   * shutdown is sent after the next start.
   */
  private async deliverPendingAudit(): Promise<void> {
    const database = this.storage.database;
    const signal = this.stopping.signal;

    try {
      while (!signal.aborted) {
        const pending = database
          .prepare('SELECT value FROM service_state WHERE name = ?')
          .get(AUDIT_PENDING_MARK) as { value: string } | undefined;

        if (pending === undefined) {
          return;
        }

        if (await this.audit.recordAndConfirm(JSON.parse(pending.value) as AuditRecordRequest)) {
          // The database closes at shutdown. The entry then stays pending and is sent once more after the next start.
          if (database.open) {
            database.prepare('DELETE FROM service_state WHERE name = ?').run(AUDIT_PENDING_MARK);
          }

          return;
        }

        await sleep(AUDIT_RETRY_INTERVAL_MS, undefined, { signal }).catch(() => undefined);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'sending the audit entry of the initial administrator failed, so it is sent again after the next start');
    }
  }
}

function credentialsBlock(email: string, password: string): string {
  const rule = '='.repeat(72);

  return [
    '',
    rule,
    'Rokks: the first administrator was created. This password is shown only',
    'once; sign in and keep it safe, or set a new one under Users.',
    '',
    `  e-mail:   ${email}`,
    `  password: ${password}`,
    rule,
    '',
    '',
  ].join('\n');
}
