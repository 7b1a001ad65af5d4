import { useCallback, useMemo, useRef, useState } from 'react';
import { Button } from 'react-aria-components';

import { ApiError } from '../api/api-error';
import { apiJson } from '../api/client';
import { type QueryResult } from '../api/types';
import { DataTable } from '../components/DataTable';
import { ErrorMessage } from '../components/ErrorMessage';
import { lineAndColumn } from '../components/sql-error-range';
import { SqlEditor } from '../components/SqlEditor';
import { useTables } from './use-tables';

const SQL_DRAFT_KEY = 'rokks.sql-draft';

/** Returns the 1-based character position an API error points at, or null. */
function errorPositionOf(error: unknown): number | null {
  return error instanceof ApiError && typeof error.details.position === 'number'
    ? error.details.position
    : null;
}

/** Runs a read-only SQL statement against logical names and shows its result. */
export function SqlPage() {
  const [sql, setSql] = useState(
    () => window.localStorage.getItem(SQL_DRAFT_KEY) ?? 'SELECT * FROM seattle_weather LIMIT 10',
  );
  const [result, setResult] = useState<{ body: QueryResult; milliseconds: number } | null>(null);
  const [error, setError] = useState<{ cause: unknown; sql: string } | null>(null);
  const [running, setRunning] = useState(false);
  const inFlight = useRef<AbortController | null>(null);
  const { tables } = useTables();

  const schema = useMemo(() => {
    const namespace: Record<string, string[]> = {};

    for (const table of tables ?? []) {
      namespace[table.name] = table.columns.map((column) => column.name);
    }

    return namespace;
  }, [tables]);

  const changeSql = useCallback((next: string) => {
    setSql(next);
    window.localStorage.setItem(SQL_DRAFT_KEY, next);
  }, []);

  const run = useCallback(async (): Promise<void> => {
    // A new run replaces one still under way.
    inFlight.current?.abort();

    const controller = new AbortController();
    const started = performance.now();

    inFlight.current = controller;
    setRunning(true);
    setError(null);

    try {
      const body = await apiJson<QueryResult>('/api/sql/query', {
        body: { sql },
        signal: controller.signal,
      });

      setResult({ body, milliseconds: Math.round(performance.now() - started) });
    } catch (caught) {
      if (controller.signal.aborted) {
        return;
      }

      setResult(null);
      setError({ cause: caught, sql });
    } finally {
      if (inFlight.current === controller) {
        inFlight.current = null;
        setRunning(false);
      }
    }
  }, [sql]);

  const runNow = useCallback(() => void run(), [run]);
  const position = error === null ? null : errorPositionOf(error.cause);
  const where = position === null || error === null ? null : lineAndColumn(error.sql, position - 1);

  return (
    <section>
      <h1>SQL</h1>
      <div className="field">
        <span id="sql-label" className="label">
          SQL statement
        </span>
        <SqlEditor
          value={sql}
          onChange={changeSql}
          onRun={runNow}
          labelledBy="sql-label"
          describedBy="sql-help"
          schema={schema}
          errorPosition={position}
        />
        <p id="sql-help" className="help">
          One read-only SELECT against your tables by their names. Ctrl+Enter (⌘+Enter on a Mac)
          runs it; Ctrl+Space lists table and column names.
        </p>
      </div>
      <Button onPress={runNow} isPending={running}>
        {running ? 'Running…' : 'Run'}
      </Button>
      <ErrorMessage
        error={error?.cause}
        context="The query failed"
        hints={{
          400: 'Fix the statement and run it again. One SELECT (or WITH … SELECT) on the tables listed below is allowed.',
          504: 'The query ran past the time limit: add a WHERE, a LIMIT or an aggregate so that it reads less.',
        }}
      />
      {where === null ? null : (
        <p className="hint" data-testid="sql-error-position">
          The error is at line {where.line}, column {where.column}, marked in the editor.
        </p>
      )}
      {result === null ? null : (
        <>
          <p role="status" data-testid="sql-summary">
            {result.body.rowCount.toLocaleString('en')}{' '}
            {result.body.rowCount === 1 ? 'row' : 'rows'} in {result.milliseconds} ms.
            {result.body.truncated ? (
              <strong className="truncated">
                {' '}
                Truncated: the row limit applied, so the query has more rows than shown. Add a
                LIMIT, a WHERE or an aggregate to see the rest.
              </strong>
            ) : null}
          </p>
          <DataTable
            caption="Query result"
            columns={result.body.columns}
            rows={result.body.rows}
            testId="sql-result"
            firstRowNumber={1}
          />
        </>
      )}
      <TableList tables={tables} />
    </section>
  );
}

/** Lists the tables and their columns, for reference while writing a query. */
function TableList({ tables }: { tables: ReturnType<typeof useTables>['tables'] }) {
  if (tables === null || tables.length === 0) {
    return null;
  }

  return (
    <details className="table-list">
      <summary>Tables and columns ({tables.length})</summary>
      <ul>
        {tables.map((table) => (
          <li key={table.id}>
            <code>{table.name}</code>:{' '}
            {table.columns.map((column, index) => (
              <span key={column.id}>
                {index === 0 ? '' : ', '}
                <code>{column.name}</code> <span className="type">{column.type}</span>
              </span>
            ))}
          </li>
        ))}
      </ul>
    </details>
  );
}
