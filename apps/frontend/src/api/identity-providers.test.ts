import { describe, expect, it } from '@jest/globals';

import { describeSignInFailure, identityProviderStartUrl } from './identity-providers';

describe('describeSignInFailure', () => {
  it('explains each code of the auth service', () => {
    const codes = [
      'provider-error',
      'invalid-state',
      'sign-in-failed',
      'email-not-verified',
      'no-account',
      'account-disabled',
      'provider-unavailable',
    ];

    for (const code of codes) {
      const { message } = describeSignInFailure(code);

      expect(message).not.toContain(code);
    }

    expect(describeSignInFailure('account-disabled').hint).toBe(
      'Ask an administrator to enable it.',
    );
  });

  it('names an unknown code', () => {
    expect(describeSignInFailure('new-kind').message).toContain('(new-kind)');
  });

  it('ignores names of Object.prototype', () => {
    expect(describeSignInFailure('constructor').message).toContain('(constructor)');
    expect(describeSignInFailure('__proto__').message).toContain('(__proto__)');
  });
});

describe('identityProviderStartUrl', () => {
  it('passes the page to return to', () => {
    expect(identityProviderStartUrl('google', '/tables?x=1')).toBe(
      '/auth/oidc/google/start?returnTo=%2Ftables%3Fx%3D1',
    );
  });
});
