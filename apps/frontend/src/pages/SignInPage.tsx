import { type FormEvent, useEffect, useState } from 'react';
import { Button, Form, Input, Label, TextField } from 'react-aria-components';

import {
  describeSignInFailure,
  identityProviderStartUrl,
  listIdentityProviders,
} from '../api/identity-providers';
import { session } from '../api/session';
import { type IdentityProvider } from '../api/types';
import { ErrorMessage } from '../components/ErrorMessage';

/** Returns the path to open after a provider sign-in: the current page, unless it is the sign-in page itself. */
function returnPath(): string {
  const { pathname, search } = window.location;

  return pathname === '/' || pathname === '/sign-in' ? '/' : `${pathname}${search}`;
}

/** Renders the local sign-in form and a button for each configured identity provider. */
export function SignInPage({ reason }: { reason?: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [providers, setProviders] = useState<IdentityProvider[]>([]);
  const [providersError, setProvidersError] = useState<unknown>(null);
  // The auth service sends a failed provider sign-in back here with `?error=<code>`.
  const [failureCode, setFailureCode] = useState(() =>
    new URLSearchParams(window.location.search).get('error'),
  );
  const failure = failureCode === null ? null : describeSignInFailure(failureCode);

  useEffect(() => {
    const controller = new AbortController();

    listIdentityProviders(controller.signal).then(setProviders, (caught: unknown) => {
      if (!controller.signal.aborted) {
        setProvidersError(caught);
      }
    });

    return () => controller.abort();
  }, []);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();

    if (busy) {
      return;
    }

    setBusy(true);
    setError(null);
    setFailureCode(null);

    try {
      await session.signIn(email, password);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <h1>Sign in to Rokks</h1>
      {reason === undefined ? null : <p role="status">{reason}</p>}
      {failure === null ? null : (
        <div className="error" role="alert" data-testid="sign-in-failure">
          <p>{failure.message}</p>
          <p className="hint">{failure.hint}</p>
        </div>
      )}
      <Form onSubmit={(event) => void submit(event)}>
        <TextField
          type="email"
          autoComplete="username"
          isRequired
          value={email}
          onChange={setEmail}
        >
          <Label>E-mail</Label>
          <Input />
        </TextField>
        <TextField
          type="password"
          autoComplete="current-password"
          isRequired
          value={password}
          onChange={setPassword}
        >
          <Label>Password</Label>
          <Input />
        </TextField>
        <Button type="submit" isPending={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </Button>
      </Form>
      <ErrorMessage
        error={error}
        context="Sign-in failed"
        hints={{ 401: 'Check the e-mail address and the password, then try again.' }}
      />
      {providers.length === 0 ? null : (
        <nav className="oidc-providers" aria-label="Identity providers">
          <p>Or continue with your organisation's account:</p>
          {providers.map((provider) => (
            <Button
              key={provider.id}
              onPress={() =>
                window.location.assign(identityProviderStartUrl(provider.id, returnPath()))
              }
            >
              Continue with {provider.displayName}
            </Button>
          ))}
        </nav>
      )}
      {/* The local form still works without the provider list, so its failure is only a note. */}
      {providersError === null ? null : (
        <p className="help">The list of identity providers could not be loaded.</p>
      )}
    </main>
  );
}
