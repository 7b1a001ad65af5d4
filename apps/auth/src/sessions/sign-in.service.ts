import { Injectable } from '@nestjs/common';

import { type Role } from '@rokks/auth-guard';
import { WorkerAuditRecorder } from '@rokks/gateway-clients';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';
import { ServiceContext } from '@rokks/service-kit';

import { AuthError, type AuthErrorCode } from '../auth.errors';
import { type AuthSettings } from '../auth.settings';
import { AuthStorage } from '../storage/auth-storage';
import { AccessTokenSigner } from '../tokens/access-token.signer';
import { PasswordHasher } from '../users/password-hasher';
import { emailKey, type UserRecord } from '../users/user.store';
import { type SessionRecord } from './session.store';

/** Actor of a failed sign-in whose e-mail matches no account; the e-mail itself is personal data and not recorded. */
export const UNKNOWN_ACCOUNT_ACTOR = 'anonymous';

/** Workspace of a new session when the user has roles there (or nowhere). */
export const DEFAULT_WORKSPACE = 'default';

/** The user as login and `GET /auth/me` return it. */
export interface SignedInUser {
  id: string;
  email: string;
  roles: Role[];
  workspace: string;
}

/** Tokens of a started or refreshed session. */
export interface IssuedTokens {
  accessToken: string;
  /** Lifetime of the access token in seconds. */
  expiresIn: number;
  refreshToken: string;
  /** Expiry of the refresh token, in milliseconds since the epoch. */
  refreshExpiresAt: number;
  user: SignedInUser;
  sessionId: string;
}

const INVALID_CREDENTIALS_MESSAGE = 'The e-mail or password is wrong.';

/** Audit reason of a sign-in rejected by the rate limits, by the error code of the rejection. */
const THROTTLE_REASONS: Partial<Record<AuthErrorCode, string>> = {
  TOO_MANY_ATTEMPTS: 'too-many-attempts',
  ACCOUNT_LOCKED: 'account-locked',
};

/** Throttle periods remembered for audit before the expired ones are dropped. */
const MAX_REMEMBERED_THROTTLE_PERIODS = 10_000;
const REFRESH_REJECTED_MESSAGE = 'The session has ended; sign in again.';

/** Password sign-in, session start, refresh-token rotation and sign-out. */
@Injectable()
export class SignInService {
  /**
   * End of the throttle period of each client or account whose rejected
   * sign-in was recorded in the audit log. A client that keeps calling the
   * login while it is throttled adds one entry per period, not one per request.
   */
  private readonly recordedThrottlePeriods = new Map<string, number>();

  constructor(
    private readonly storage: AuthStorage,
    private readonly hasher: PasswordHasher,
    private readonly signer: AccessTokenSigner,
    private readonly context: ServiceContext<AuthSettings>,
    @InjectPinoLogger(SignInService.name) private readonly logger: PinoLogger,
    private readonly audit: WorkerAuditRecorder,
  ) {}

  /**
   * Checks a password and starts a session. Unknown e-mail, wrong password
   * and disabled user get the same error after the same hashing work.
   *
   * @throws AuthError INVALID_CREDENTIALS, TOO_MANY_ATTEMPTS or ACCOUNT_LOCKED.
   */
  async loginWithPassword(email: string, password: string, client: string): Promise<IssuedTokens> {
    const account = emailKey(email);
    const throttle = this.storage.throttle;

    try {
      throttle.assertMayAttempt(client, account);
    } catch (error) {
      if (error instanceof AuthError) {
        this.recordThrottledSignIn(error, email, client, account);
      }

      throw error;
    }

    const found = this.storage.users.findCredentials(email);
    const matches = await this.hasher.verify(found?.passwordHash, password);
    const user = found?.user;

    if (!matches || user === undefined || user.disabled) {
      const { locked } = throttle.record(client, account, false);
      const reason =
        user === undefined
          ? 'unknown-email'
          : user.disabled && matches
            ? 'disabled'
            : 'wrong-password';

      this.logger.info({ userId: user?.id, reason, client, locked }, 'login failed');
      this.audit.record({
        actor: user?.id ?? UNKNOWN_ACCOUNT_ACTOR,
        action: 'auth.sign_in_failed',
        target: user?.id ?? null,
        details: { method: 'local', reason, locked },
      });

      throw new AuthError('INVALID_CREDENTIALS', INVALID_CREDENTIALS_MESSAGE);
    }

    throttle.record(client, account, true);
    await this.upgradeHash(user.id, found?.passwordHash ?? null, password);

    const issued = await this.startSession(user, 'password');

    this.logger.info(
      { userId: user.id, sessionId: issued.sessionId, method: 'password' },
      'user signed in',
    );

    return issued;
  }

  /**
   * Records a sign-in rejected by the rate limits as a failed sign-in, once
   * per throttle period of the client (too many attempts) or the account
   * (locked). The actor is the user of the e-mail, if there is one. Neither
   * the e-mail nor the client address goes into the entry.
   */
  private recordThrottledSignIn(error: AuthError, email: string, client: string, account: string): void {
    const reason = THROTTLE_REASONS[error.code];

    if (reason === undefined) {
      return;
    }

    const now = Date.now();
    const key = error.code === 'TOO_MANY_ATTEMPTS' ? `client:${client}` : `account:${account}`;

    if ((this.recordedThrottlePeriods.get(key) ?? 0) > now) {
      return;
    }

    const retryAfterSeconds = error.options.retryAfterSeconds ?? 0;

    this.rememberThrottlePeriod(key, now + retryAfterSeconds * 1000, now);

    const user = this.storage.users.findByEmail(email);

    this.audit.record({
      actor: user?.id ?? UNKNOWN_ACCOUNT_ACTOR,
      action: 'auth.sign_in_failed',
      target: user?.id ?? null,
      details: { method: 'local', reason, retryAfterSeconds },
    });
  }

  private rememberThrottlePeriod(key: string, until: number, now: number): void {
    if (this.recordedThrottlePeriods.size >= MAX_REMEMBERED_THROTTLE_PERIODS) {
      for (const [remembered, end] of this.recordedThrottlePeriods) {
        if (end <= now) {
          this.recordedThrottlePeriods.delete(remembered);
        }
      }
    }

    // Still full of live periods: forgetting them costs at most one more entry per client or account.
    if (this.recordedThrottlePeriods.size >= MAX_REMEMBERED_THROTTLE_PERIODS) {
      this.recordedThrottlePeriods.clear();
    }

    this.recordedThrottlePeriods.set(key, until);
  }

  /** Starts a session for a user whose identity is already proven (password or identity provider). */
  async startSession(user: UserRecord, method: string): Promise<IssuedTokens> {
    const settings = this.context.settings;
    const workspace = this.chooseWorkspace(user.id);
    const created = this.storage.sessions.create({
      userId: user.id,
      workspace,
      method,
      maxAgeSeconds: settings.sessionMaxAgeSeconds,
      refreshTtlSeconds: settings.refreshTokenTtlSeconds,
    });

    this.storage.users.markSignedIn(user.id);
    this.audit.record({
      actor: user.id,
      action: 'auth.signed_in',
      target: user.id,
      details: {
        method: method === 'password' ? 'local' : 'oidc',
        ...(method.startsWith('oidc:') ? { provider: method.slice('oidc:'.length) } : {}),
        sessionId: created.session.id,
        workspace,
      },
    });

    return this.issue(user, created.session, created.refreshToken, created.refreshExpiresAt);
  }

  /**
   * Rotates a refresh token and issues a new access token. A token that was
   * already used revokes its whole session; so does a disabled or deleted user.
   *
   * @throws AuthError REFRESH_TOKEN_INVALID for every refused token.
   */
  async refresh(refreshToken: string | undefined): Promise<IssuedTokens> {
    if (refreshToken === undefined || refreshToken === '') {
      throw new AuthError('REFRESH_TOKEN_INVALID', 'No refresh cookie was sent; sign in again.');
    }

    const outcome = this.storage.sessions.refresh(
      refreshToken,
      this.context.settings.refreshTokenTtlSeconds,
      this.context.settings.refreshReuseGraceSeconds,
    );

    switch (outcome.kind) {
      case 'rejected':
        this.logger.info({ reason: outcome.reason }, 'refresh token rejected');

        throw new AuthError('REFRESH_TOKEN_INVALID', REFRESH_REJECTED_MESSAGE);
      case 'reused':
        this.logger.warn(
          { userId: outcome.session.userId, sessionId: outcome.session.id },
          'refresh token used twice; session revoked',
        );

        throw new AuthError('REFRESH_TOKEN_INVALID', REFRESH_REJECTED_MESSAGE);
      case 'rotated': {
        const user = this.storage.users.findById(outcome.session.userId);

        if (user === undefined || user.disabled) {
          this.storage.sessions.revoke(outcome.session.id, 'user-disabled');
          this.logger.info(
            { userId: outcome.session.userId, sessionId: outcome.session.id },
            'refresh rejected for a disabled user',
          );

          throw new AuthError('REFRESH_TOKEN_INVALID', REFRESH_REJECTED_MESSAGE);
        }

        return this.issue(user, outcome.session, outcome.refreshToken, outcome.refreshExpiresAt);
      }
    }
  }

  /** Ends the session of a refresh token; an unknown or ended one is ignored. */
  logout(refreshToken: string | undefined): void {
    const session =
      refreshToken === undefined ? undefined : this.storage.sessions.sessionOf(refreshToken);

    if (session !== undefined) {
      this.storage.sessions.revoke(session.id, 'logout');
      this.logger.info({ userId: session.userId, sessionId: session.id }, 'user signed out');
      this.audit.record({ actor: session.userId, action: 'auth.signed_out', target: session.userId, details: { sessionId: session.id } });
    }
  }

  /** Revokes every session of a user (password change, disabling, deletion). */
  revokeSessionsOf(userId: string, reason: string): void {
    const revoked = this.storage.sessions.revokeAllOf(userId, reason);

    this.logger.info({ userId, revoked, reason }, 'sessions revoked');
  }

  private async issue(
    user: UserRecord,
    session: SessionRecord,
    refreshToken: string,
    refreshExpiresAt: number,
  ): Promise<IssuedTokens> {
    const roles = this.storage.users.rolesIn(user.id, session.workspace);
    const accessToken = await this.signer.sign({
      userId: user.id,
      email: user.email,
      roles,
      workspace: session.workspace,
      sessionId: session.id,
    });

    return {
      accessToken,
      expiresIn: this.signer.ttlSeconds,
      refreshToken,
      refreshExpiresAt,
      user: { id: user.id, email: user.email, roles, workspace: session.workspace },
      sessionId: session.id,
    };
  }

  private chooseWorkspace(userId: string): string {
    const workspaces = Object.keys(this.storage.users.workspacesOf(userId));

    return workspaces.includes(DEFAULT_WORKSPACE) || workspaces.length === 0
      ? DEFAULT_WORKSPACE
      : workspaces[0];
  }

  private async upgradeHash(
    userId: string,
    storedHash: string | null,
    password: string,
  ): Promise<void> {
    if (storedHash !== null && this.hasher.needsRehash(storedHash)) {
      this.storage.users.setPasswordHash(userId, await this.hasher.hash(password));
      this.logger.info({ userId }, 'password hash upgraded to the current cost');
    }
  }
}
