import { z } from 'zod';

import { fromEnv, markSecret } from '@rokks/config';
import { type BaseSettings } from '@rokks/service-kit';

const wholeNumber = (minimum: number, maximum: number, unit: string) =>
  z.coerce
    .number({ error: `must be a whole number of ${unit}` })
    .int(`must be a whole number of ${unit}`)
    .min(minimum, `must be at least ${minimum} ${unit}`)
    .max(maximum, `must be at most ${maximum} ${unit}`);

const DAY_SECONDS = 86_400;

/** Shortest password the service accepts, for the administrator and for users alike. */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;

// A comma-separated list from the environment, or a list from the registry.
const domainList = z
  .union([z.array(z.string()), z.string()])
  .transform((value) =>
    (Array.isArray(value) ? value : value.split(','))
      .map((domain) => domain.trim().toLowerCase())
      .filter((domain) => domain !== ''),
  )
  .pipe(
    z.array(
      z.string().regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
        error: 'must list domain names such as example.com',
      }),
    ),
  );

/** Settings of the auth service, on top of the service kit's base settings. */
export const authSettings = z.object({
  /** E-mail of the administrator created on first start; default `admin@rokks.local`. */
  adminEmail: fromEnv(
    'ROKKS_ADMIN_EMAIL',
    z.email({ error: 'must be an e-mail address' }).optional(),
  ),
  /** Password of that administrator; generated and printed once when unset. */
  adminPassword: markSecret(
    fromEnv(
      'ROKKS_ADMIN_PASSWORD',
      z
        .string()
        .min(MIN_PASSWORD_LENGTH, `must have at least ${MIN_PASSWORD_LENGTH} characters`)
        .max(MAX_PASSWORD_LENGTH)
        .optional(),
    ),
  ),
  /** Lifetime of access tokens. */
  accessTokenTtlSeconds: fromEnv(
    'ROKKS_ACCESS_TOKEN_TTL_SECONDS',
    wholeNumber(1, 3600, 'seconds').default(900),
  ),
  /** Lifetime of one refresh token; each refresh issues a new one. */
  refreshTokenTtlSeconds: fromEnv(
    'ROKKS_REFRESH_TOKEN_TTL_SECONDS',
    wholeNumber(60, 90 * DAY_SECONDS, 'seconds').default(7 * DAY_SECONDS),
  ),
  /**
   * Window after a rotation in which the previous refresh token may be
   * presented again without revoking the session, so two browser tabs
   * that refresh at the same moment do not sign each other out. 0 disables it.
   */
  refreshReuseGraceSeconds: fromEnv(
    'ROKKS_REFRESH_REUSE_GRACE_SECONDS',
    wholeNumber(0, 60, 'seconds').default(10),
  ),
  /** Time after which a session ends however often it is refreshed. */
  sessionMaxAgeSeconds: fromEnv(
    'ROKKS_SESSION_MAX_AGE_SECONDS',
    wholeNumber(60, 365 * DAY_SECONDS, 'seconds').default(30 * DAY_SECONDS),
  ),
  /** `Secure` attribute of the cookies: `auto` sets it when the browser used HTTPS (the edge's `x-forwarded-proto`). */
  cookieSecure: fromEnv(
    'ROKKS_AUTH_COOKIE_SECURE',
    z.enum(['auto', 'always', 'never'], { error: 'must be auto, always or never' }).default('auto'),
  ),
  /** Origin browsers use to reach the edge; OpenID Connect redirect URIs are built on it. */
  publicUrl: fromEnv(
    'ROKKS_PUBLIC_URL',
    z
      .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
      .transform((value) => value.replace(/\/+$/, ''))
      .default('http://localhost:3000'),
  ),
  /** Login attempts one client may make per window before it gets 429. */
  loginClientMaxAttempts: fromEnv(
    'ROKKS_LOGIN_CLIENT_MAX_ATTEMPTS',
    wholeNumber(1, 10_000, 'attempts').default(30),
  ),
  loginClientWindowSeconds: fromEnv(
    'ROKKS_LOGIN_CLIENT_WINDOW_SECONDS',
    wholeNumber(1, DAY_SECONDS, 'seconds').default(60),
  ),
  /** Failed logins in a row after which an account is locked. */
  loginAccountMaxFailures: fromEnv(
    'ROKKS_LOGIN_ACCOUNT_MAX_FAILURES',
    wholeNumber(1, 1000, 'attempts').default(5),
  ),
  /** Duration of an account lockout. */
  loginLockoutSeconds: fromEnv(
    'ROKKS_LOGIN_LOCKOUT_SECONDS',
    wholeNumber(1, DAY_SECONDS, 'seconds').default(900),
  ),
  /**
   * argon2id cost. The defaults are the second recommended option of
   * RFC 9106 (section 4): 64 MiB, 3 passes, 4 lanes.
   */
  argon2MemoryKiB: fromEnv(
    'ROKKS_AUTH_ARGON2_MEMORY_KIB',
    wholeNumber(8192, 4 * 1024 * 1024, 'KiB').default(65_536),
  ),
  argon2TimeCost: fromEnv('ROKKS_AUTH_ARGON2_TIME_COST', wholeNumber(1, 20, 'passes').default(3)),
  argon2Parallelism: fromEnv(
    'ROKKS_AUTH_ARGON2_PARALLELISM',
    wholeNumber(1, 16, 'lanes').default(4),
  ),
  /**
   * E-mail domains open for sign-up through an identity provider: a user
   * with a verified address in one of them is created on first sign-in.
   * With an empty list, only existing users may sign in that way.
   */
  oidcAllowedDomains: fromEnv('ROKKS_OIDC_ALLOWED_DOMAINS', domainList.default([])),
  /** Role that users created by an identity-provider sign-in get in the default workspace. */
  oidcDefaultRole: fromEnv(
    'ROKKS_OIDC_DEFAULT_ROLE',
    z
      .enum(['viewer', 'editor', 'none'], { error: 'must be viewer, editor or none' })
      .default('viewer'),
  ),
  /** PEM file of extra certificate authorities trusted for identity providers (a private Keycloak, say). */
  oidcCaFile: fromEnv('ROKKS_OIDC_CA_FILE', z.string().trim().min(1).optional()),
  /** Time allowed for each request to an identity provider. */
  oidcRequestTimeoutMs: fromEnv(
    'ROKKS_OIDC_REQUEST_TIMEOUT_MS',
    wholeNumber(100, 60_000, 'milliseconds').default(10_000),
  ),
  /** Path of the SPA page that shows a failed identity-provider sign-in (`?error=<code>`). */
  oidcErrorPath: fromEnv(
    'ROKKS_OIDC_ERROR_PATH',
    z
      .string()
      .regex(/^\/[A-Za-z0-9/_-]*$/, { error: 'must be a path such as /sign-in' })
      .default('/sign-in'),
  ),
});

export type AuthSettings = BaseSettings & z.output<typeof authSettings>;
