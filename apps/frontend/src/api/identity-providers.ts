import { ApiError, toApiError } from './api-error';
import { type IdentityProvider } from './types';

/** Lists the enabled identity providers; the route is public, so no token is sent. */
export async function listIdentityProviders(signal?: AbortSignal): Promise<IdentityProvider[]> {
  let response: Response;

  try {
    response = await fetch('/auth/oidc/providers', {
      headers: { accept: 'application/json' },
      credentials: 'same-origin',
      signal,
    });
  } catch (error) {
    if (signal?.aborted === true) {
      throw error;
    }

    throw new ApiError(0, 'Cannot reach the Rokks server.');
  }

  const body: unknown = await response.json().catch(() => null);

  if (!response.ok) {
    throw toApiError(response.status, response.statusText, body);
  }

  return body as IdentityProvider[];
}

/**
 * Returns the URL that starts a sign-in with an identity provider. The auth
 * service accepts only a path on this site as `returnTo`, and after the
 * sign-in it sends the browser there with the refresh cookie set.
 */
export function identityProviderStartUrl(providerId: string, returnTo: string): string {
  const query = new URLSearchParams({ returnTo });

  return `/auth/oidc/${encodeURIComponent(providerId)}/start?${query.toString()}`;
}

/** Plain words for each `?error=` code the auth service sends back after a failed provider sign-in. */
const FAILURES: Record<string, { message: string; hint: string }> = {
  'provider-error': {
    message: 'The identity provider ended the sign-in with an error, or it was cancelled there.',
    hint: 'Try again, or sign in with your e-mail and password.',
  },
  'invalid-state': {
    message: 'The sign-in expired or was started in another browser tab.',
    hint: 'Start it again from this page, within 10 minutes.',
  },
  'sign-in-failed': {
    message: 'The sign-in with the identity provider failed.',
    hint: 'Try again. If it keeps failing, ask an administrator to check the auth service log.',
  },
  'email-not-verified': {
    message: 'The identity provider has not verified your e-mail address.',
    hint: 'Verify the address with the provider, then try again.',
  },
  'no-account': {
    message:
      'There is no Rokks account for this e-mail address, and its domain may not create one.',
    hint: 'Ask an administrator to create an account for your e-mail address.',
  },
  'account-disabled': {
    message: 'Your Rokks account is disabled.',
    hint: 'Ask an administrator to enable it.',
  },
  'provider-unavailable': {
    message: 'The identity provider cannot be reached.',
    hint: 'Try again in a moment, or sign in with your e-mail and password.',
  },
};

/** Describes a failure code from the sign-in page's `?error=`; unknown codes get a general message. */
export function describeSignInFailure(code: string): { message: string; hint: string } {
  if (Object.hasOwn(FAILURES, code)) {
    return FAILURES[code];
  }

  return {
    message: `The sign-in with the identity provider failed (${code}).`,
    hint: 'Try again, or sign in with your e-mail and password.',
  };
}
