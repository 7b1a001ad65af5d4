import { useState } from 'react';

import { type TransformSpec } from '@rokks/transform';

import { apiJson } from '../api/client';
import { DataTable } from '../components/DataTable';
import { ErrorMessage } from '../components/ErrorMessage';

/** The body of `POST /api/transform/preview`. */
export interface ServerPreview {
  columns: { name: string; type: string }[];
  rows: unknown[][];
  errors: { row: number; column: string | null; value: string | null; message: string }[];
  stats: { rowsIn: number; rowsOut: number; rowsRejected: number };
  /** True when the run stopped at the first bad value (`onError: fail`). */
  failed?: boolean;
  /** True when the server read the whole file, not only its head. */
  complete?: boolean;
}

/**
 * Checks the spec on the uploaded file with `POST /api/transform/preview`.
 * The server reads the file with the same reader and transformation as the
 * load, but only its head (10,000 rows by default) when the file is larger.
 */
export function ServerCheck({ fileId, spec }: { fileId: string; spec: TransformSpec }) {
  const [checked, setChecked] = useState<{ spec: TransformSpec; result: ServerPreview } | null>(
    null,
  );
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const check = async (): Promise<void> => {
    setRunning(true);
    setError(null);

    try {
      const result = await apiJson<ServerPreview>('/api/transform/preview', {
        body: { fileId, spec, limit: 20 },
      });

      setChecked({ spec, result });
    } catch (caught) {
      setError(caught);
    } finally {
      setRunning(false);
    }
  };

  const result = checked?.result;

  return (
    <section aria-labelledby="server-check-heading" className="server-check">
      <h3 id="server-check-heading">Check the file on the server</h3>
      <p className="help">
        The preview above runs on the first rows in this browser. The server check runs the same
        steps with the load&apos;s reader over the file, or over the head of a large file.
      </p>
      <button type="button" onClick={() => void check()} disabled={running}>
        {running ? 'Checking…' : 'Check on the server'}
      </button>
      <ErrorMessage error={error} context="The check failed" />
      {result === undefined ? null : (
        <div aria-live="polite" data-testid="server-check">
          {checked?.spec === spec ? null : (
            <p className="flag">The steps changed after this check: check again.</p>
          )}
          <p data-testid="server-check-stats">
            {result.complete === false ? 'In the first ' : 'In all '}
            {result.stats.rowsIn} rows of the file: {result.stats.rowsOut} pass,{' '}
            {result.stats.rowsRejected} rejected.
            {result.failed === true
              ? ' The load would stop at the first bad value below and load nothing.'
              : ''}
          </p>
          <DataTable
            caption="Rejected rows in the file"
            columns={[{ name: 'row' }, { name: 'column' }, { name: 'value' }, { name: 'reason' }]}
            rows={result.errors.map((problem) => [
              problem.row,
              problem.column,
              problem.value,
              problem.message,
            ])}
            empty="No rejected rows."
            testId="server-check-rejects"
          />
        </div>
      )}
    </section>
  );
}
