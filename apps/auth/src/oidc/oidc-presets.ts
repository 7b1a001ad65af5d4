/** Extra behaviour for well-known identity providers, found by issuer. */
export interface ProviderPreset {
  name: string;
  /** Parameters added to the authorization request. */
  authorizationParameters(allowedDomains: readonly string[]): Record<string, string>;
}

const PRESETS: Record<string, ProviderPreset> = {
  // Google: register the provider in the registry with this issuer, the
  // OAuth client id and secret from the Google Cloud console, and the
  // redirect URI <public URL>/auth/oidc/<provider id>/callback.
  'https://accounts.google.com': {
    name: 'Google',
    authorizationParameters: (allowedDomains) => ({
      prompt: 'select_account',
      // `hd` only narrows Google's account chooser; the domain is checked
      // again on the verified e-mail after sign-in.
      ...(allowedDomains.length === 1 ? { hd: allowedDomains[0] } : {}),
    }),
  },
};

export function presetFor(issuer: string): ProviderPreset | undefined {
  return PRESETS[issuer.replace(/\/+$/, '')];
}
