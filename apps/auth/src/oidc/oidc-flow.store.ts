import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import { type AuthDatabase } from '../storage/auth-database';

/** A sign-in with an identity provider between its start and its callback. */
export interface OidcFlow {
  provider: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
}

interface FlowRow {
  provider: string;
  nonce: string;
  code_verifier: string;
  browser_hash: string;
  return_to: string;
  expires_at: number;
}

/** Time a browser has to come back from the identity provider. */
export const OIDC_FLOW_TTL_SECONDS = 600;

/**
 * Sign-ins under way, stored by a SHA-256 of their `state`. Each flow is
 * bound to the browser that started it by a random value in a cookie, so
 * a callback URL from another browser (login CSRF) fails. A flow is used
 * once: the callback deletes it before checking anything else.
 */
export class OidcFlowStore {
  constructor(private readonly database: AuthDatabase) {}

  /** Stores a flow; returns the browser-binding value to put in the cookie. */
  start(state: string, flow: OidcFlow, now = Date.now()): string {
    const browserBinding = randomBytes(32).toString('base64url');

    this.database
      .prepare(
        `INSERT INTO oidc_flows (state_hash, provider, nonce, code_verifier, browser_hash, return_to, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        sha256(state),
        flow.provider,
        flow.nonce,
        flow.codeVerifier,
        sha256(browserBinding),
        flow.returnTo,
        now + OIDC_FLOW_TTL_SECONDS * 1000,
      );

    return browserBinding;
  }

  /**
   * Removes and returns the flow of `state` when it exists, has not expired,
   * belongs to `provider` and to the browser with the cookie value `browserBinding`.
   */
  take(
    state: string,
    provider: string,
    browserBinding: string | undefined,
    now = Date.now(),
  ): OidcFlow | undefined {
    const row = this.database
      .prepare('DELETE FROM oidc_flows WHERE state_hash = ? RETURNING *')
      .get(sha256(state)) as FlowRow | undefined;

    if (
      row === undefined ||
      row.expires_at <= now ||
      row.provider !== provider ||
      browserBinding === undefined
    ) {
      return undefined;
    }

    const expected = Buffer.from(row.browser_hash, 'hex');
    const presented = Buffer.from(sha256(browserBinding), 'hex');

    if (!timingSafeEqual(expected, presented)) {
      return undefined;
    }

    return {
      provider: row.provider,
      nonce: row.nonce,
      codeVerifier: row.code_verifier,
      returnTo: row.return_to,
    };
  }
}

function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
