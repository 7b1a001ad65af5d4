import { ApiError, toApiError } from './api-error';

export interface SessionUser {
  id: string;
  email: string;
  roles: string[];
}

export type SessionState =
  | { status: 'checking' }
  | { status: 'signed-out'; reason?: string }
  | { status: 'signed-in'; user: SessionUser };

interface TokenResponse {
  accessToken: string;
  expiresIn: number;
}

// Refresh this long before the access token expires, so a request never carries a stale one.
const REFRESH_MARGIN_SECONDS = 30;

/**
 * The signed-in session. The access token is kept only in memory. The
 * refresh token is an httpOnly cookie on `/auth` that the browser sends to
 * `POST /auth/refresh`, so a reload signs in again without a password.
 */
class Session {
  private state: SessionState = { status: 'checking' };
  private accessToken: string | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  // The refresh token rotates and a reused one revokes the session, so
  // concurrent callers share one refresh request.
  private refreshing: Promise<string | null> | null = null;
  private readonly listeners = new Set<() => void>();

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);

    return () => this.listeners.delete(listener);
  };

  readonly getState = (): SessionState => this.state;

  /** Restores the session from the refresh cookie, once at start-up. */
  async restore(): Promise<void> {
    const token = await this.refresh();

    if (token === null) {
      this.setState({ status: 'signed-out' });

      return;
    }

    try {
      const user = (await this.fetchJson('/auth/me', {
        headers: { authorization: `Bearer ${token}` },
      })) as SessionUser;

      this.setState({ status: 'signed-in', user });
    } catch {
      this.clear('signed-out');
    }
  }

  async signIn(email: string, password: string): Promise<void> {
    const body = (await this.fetchJson('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    })) as TokenResponse & { user: SessionUser };

    this.accept(body);
    this.setState({ status: 'signed-in', user: body.user });
  }

  async signOut(): Promise<void> {
    const token = this.accessToken;

    this.clear('signed-out');

    // The cookie is cleared by the server; a failed call still leaves the browser signed out.
    await fetch('/auth/logout', {
      method: 'POST',
      credentials: 'same-origin',
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
    }).catch(() => undefined);
  }

  /** Returns the current access token, refreshing it first when there is none. */
  async token(): Promise<string> {
    const token = this.accessToken ?? (await this.refresh());

    if (token === null) {
      throw new ApiError(401, 'You are not signed in.');
    }

    return token;
  }

  /** Gets a new access token with the refresh cookie; returns null (and signs out) when the session is gone. */
  refresh(): Promise<string | null> {
    this.refreshing ??= this.requestRefresh().finally(() => {
      this.refreshing = null;
    });

    return this.refreshing;
  }

  private async requestRefresh(): Promise<string | null> {
    try {
      const body = (await this.fetchJson('/auth/refresh', { method: 'POST' })) as TokenResponse;

      this.accept(body);

      return body.accessToken;
    } catch (error) {
      if (this.state.status === 'signed-in') {
        this.clear(
          'signed-out',
          error instanceof ApiError && error.status === 401
            ? 'Your session has ended: sign in again.'
            : undefined,
        );
      }

      return null;
    }
  }

  private accept(tokens: TokenResponse): void {
    this.accessToken = tokens.accessToken;
    clearTimeout(this.refreshTimer);

    const delaySeconds = Math.max(tokens.expiresIn - REFRESH_MARGIN_SECONDS, tokens.expiresIn / 2);

    this.refreshTimer = setTimeout(() => void this.refresh(), delaySeconds * 1000);
  }

  private clear(status: 'signed-out', reason?: string): void {
    this.accessToken = null;
    clearTimeout(this.refreshTimer);
    this.setState({ status, reason });
  }

  private setState(state: SessionState): void {
    this.state = state;

    for (const listener of this.listeners) {
      listener();
    }
  }

  private async fetchJson(path: string, init: RequestInit): Promise<unknown> {
    let response: Response;

    try {
      response = await fetch(path, { ...init, credentials: 'same-origin' });
    } catch {
      throw new ApiError(0, 'Cannot reach the Rokks server.');
    }

    const body: unknown = await response.json().catch(() => null);

    if (!response.ok) {
      throw toApiError(response.status, response.statusText, body);
    }

    return body;
  }
}

export const session = new Session();
