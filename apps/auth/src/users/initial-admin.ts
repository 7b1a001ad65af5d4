import { randomBytes } from 'node:crypto';

import { Injectable, type OnModuleInit } from '@nestjs/common';

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
 * Creates the first administrator when the database has never had one. A
 * generated password is printed once, as one block on standard output. It
 * bypasses the logger, because the scrubber would hide it, and it is never
 * stored in clear or shown again. `ROKKS_ADMIN_EMAIL` and `ROKKS_ADMIN_PASSWORD`
 * set the credentials instead, and are ignored once the administrator exists.
 */
@Injectable()
export class InitialAdmin implements OnModuleInit {
  constructor(
    private readonly storage: AuthStorage,
    private readonly hasher: PasswordHasher,
    private readonly context: ServiceContext<AuthSettings>,
    @InjectPinoLogger(InitialAdmin.name) private readonly logger: PinoLogger,
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

      database
        .prepare('INSERT INTO service_state (name, value) VALUES (?, ?)')
        .run(CREATED_MARK, new Date().toISOString());

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
