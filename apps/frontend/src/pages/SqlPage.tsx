import { type FormEvent, type KeyboardEvent, useState } from 'react';

import { ApiError } from '../api/api-error';
import { apiJson } from '../api/client';
import { type QueryResult } from '../api/types';
import { DataTable } from '../components/DataTable';
import { ErrorMessage } from '../components/ErrorMessage';

const SQL_DRAFT_KEY = 'rokks.sql-draft';

/** Shows the line and column of a 1-based character position in the statement. */
function describePosition(sql: string, position: number): string {
  const before = sql.slice(0, Math.max(0, position - 1));
  const lines = before.split('\n');

  return `line ${lines.length}, column ${lines[lines.length - 1].length + 1}`;
}

/** Runs a read-only SQL statement against logical names and shows its result. */
export function SqlPage() {
  const [sql, setSql] = useState(
    () => window.localStorage.getItem(SQL_DRAFT_KEY) ?? 'SELECT * FROM seattle_weather LIMIT 10',
  );
  const [result, setResult] = useState<QueryResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [running, setRunning] = useState(false);

  const run = async (): Promise<void> => {
    setRunning(true);
    setError(null);

    try {
      setResult(await apiJson<QueryResult>('/api/sql/query', { body: { sql } }));
    } catch (caught) {
      setResult(null);
      setError(caught);
    } finally {
      setRunning(false);
    }
  };

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void run();
  };

  const runOnControlEnter = (event: KeyboardEvent): void => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void run();
    }
  };

  const position =
    error instanceof ApiError && typeof error.details.position === 'number'
      ? error.details.position
      : null;

  return (
    <section>
      <h1>SQL</h1>
      <form onSubmit={submit}>
        <label htmlFor="sql-text">
          SQL statement (one read-only statement; Ctrl+Enter runs it)
        </label>
        <textarea
          id="sql-text"
          className="sql"
          rows={8}
          spellCheck={false}
          value={sql}
          onChange={(event) => {
            setSql(event.target.value);
            window.localStorage.setItem(SQL_DRAFT_KEY, event.target.value);
          }}
          onKeyDown={runOnControlEnter}
        />
        <button type="submit" disabled={running}>
          {running ? 'Running…' : 'Run'}
        </button>
      </form>
      <ErrorMessage error={error} context="The query failed" />
      {position === null ? null : (
        <p className="hint">The error is at {describePosition(sql, position)}.</p>
      )}
      {result === null ? null : (
        <>
          <p role="status" data-testid="sql-summary">
            {result.rowCount} rows.
            {result.truncated
              ? ' Truncated: the row limit applied, so more rows exist than shown.'
              : ''}
          </p>
          <DataTable
            caption="Query result"
            columns={result.columns}
            rows={result.rows}
            testId="sql-result"
          />
        </>
      )}
    </section>
  );
}
