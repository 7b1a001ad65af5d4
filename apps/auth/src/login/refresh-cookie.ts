import { type AuthSettings } from '../auth.settings';
import { browserUsedHttps, type ClientRequest } from '../http/client-address.util';
import { readCookie, serializeCookie } from '../http/cookies.util';

/** Name of the httpOnly cookie that carries the refresh token. */
export const REFRESH_COOKIE = 'rokks_refresh';

/** The cookie is sent only to the auth routes, never to `/api`. */
const REFRESH_COOKIE_PATH = '/auth';

export function readRefreshCookie(request: ClientRequest): string | undefined {
  return readCookie(request.headers.cookie, REFRESH_COOKIE);
}

/** `Set-Cookie` value that stores a refresh token until `expiresAt` (ms since the epoch). */
export function refreshCookie(
  token: string,
  expiresAt: number,
  request: ClientRequest,
  settings: Pick<AuthSettings, 'cookieSecure'>,
  now = Date.now(),
): string {
  return serializeCookie(REFRESH_COOKIE, token, {
    path: REFRESH_COOKIE_PATH,
    maxAgeSeconds: Math.max(1, Math.floor((expiresAt - now) / 1000)),
    secure: secureCookies(request, settings),
    httpOnly: true,
    sameSite: 'Lax',
  });
}

/** `Set-Cookie` value that deletes the refresh cookie. */
export function clearedRefreshCookie(
  request: ClientRequest,
  settings: Pick<AuthSettings, 'cookieSecure'>,
): string {
  return serializeCookie(REFRESH_COOKIE, '', {
    path: REFRESH_COOKIE_PATH,
    maxAgeSeconds: 0,
    secure: secureCookies(request, settings),
    httpOnly: true,
    sameSite: 'Lax',
  });
}

/** Returns whether cookies get `Secure`: always, never, or when the browser used HTTPS. */
export function secureCookies(
  request: ClientRequest,
  settings: Pick<AuthSettings, 'cookieSecure'>,
): boolean {
  switch (settings.cookieSecure) {
    case 'always':
      return true;
    case 'never':
      return false;
    case 'auto':
      return browserUsedHttps(request);
  }
}
