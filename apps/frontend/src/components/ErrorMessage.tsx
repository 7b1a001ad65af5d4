import { describeError } from '../api/api-error';

/** Shows an error in plain words with the next step, announced to screen readers. */
export function ErrorMessage({ error, context }: { error: unknown; context?: string }) {
  if (error === null || error === undefined) {
    return null;
  }

  const { message, hint } = describeError(error);

  return (
    <div className="error" role="alert">
      <p>
        {context === undefined ? null : <strong>{context}: </strong>}
        {message}
      </p>
      <p className="hint">{hint}</p>
    </div>
  );
}
