import { ApiError, describeError } from '../api/api-error';

/**
 * Shows an error in plain words with the next step, announced to screen
 * readers. `hints` replaces the general next step for the HTTP statuses it
 * names, where the page has a more specific one (a 401 from the sign-in form, say).
 * A null hint shows none, for a status whose server message already names the next step.
 */
export function ErrorMessage({
  error,
  context,
  hints,
}: {
  error: unknown;
  context?: string;
  hints?: Partial<Record<number, string | null>>;
}) {
  if (error === null || error === undefined) {
    return null;
  }

  const { message, hint } = describeError(error);
  const specificHint = error instanceof ApiError ? hints?.[error.status] : undefined;
  const shownHint = specificHint === undefined ? hint : specificHint;

  return (
    <div className="error" role="alert">
      <p>
        {context === undefined ? null : <strong>{context}: </strong>}
        {message}
      </p>
      {shownHint === null ? null : <p className="hint">{shownHint}</p>}
    </div>
  );
}
