import { type FormEvent, useEffect, useState } from 'react';

import { quoteIdent } from '@rokks/naming';

import { apiJson } from '../api/client';
import { type QueryResult, type TableColumn, type TableInfo } from '../api/types';
import { navigate } from '../app/router';
import { DataTable } from '../components/DataTable';
import { ErrorMessage } from '../components/ErrorMessage';
import { Field } from '../components/Field';

const PAGE_SIZE = 50;

/** Shows one table, where it and its columns can be renamed (metadata only), its rows browsed and the table dropped. */
export function TablePage({ tableId }: { tableId: string }) {
  const [table, setTable] = useState<TableInfo | null>(null);
  const [error, setError] = useState<unknown>(null);
  const path = `/api/sql/tables/${encodeURIComponent(tableId)}`;

  useEffect(() => {
    const controller = new AbortController();

    apiJson<TableInfo>(path, { signal: controller.signal }).then(setTable, (caught: unknown) => {
      if (!controller.signal.aborted) {
        setError(caught);
      }
    });

    return () => controller.abort();
  }, [path]);

  const rename = async (change: {
    name?: string;
    columns?: Record<string, string>;
  }): Promise<void> => {
    setTable(await apiJson<TableInfo>(path, { method: 'PATCH', body: change }));
  };

  if (table === null) {
    return error === null ? (
      <p role="status">Loading…</p>
    ) : (
      <ErrorMessage error={error} context="Loading the table failed" />
    );
  }

  return (
    <section>
      <h1>Table {table.name}</h1>
      <p>{table.rowCount.toLocaleString('en')} rows.</p>
      <RenameField label="Table name" value={table.name} onSave={(name) => rename({ name })} />
      <h2>Columns</h2>
      <ul className="columns" data-testid="table-columns">
        {table.columns.map((column) => (
          <li key={column.id}>
            <RenameField
              label={`Name of column ${column.name} (${column.type})`}
              value={column.name}
              onSave={(name) => rename({ columns: { [column.id]: name } })}
            />
          </li>
        ))}
      </ul>
      <TableRows table={table} />
      <DropTable table={table} path={path} />
    </section>
  );
}

/** Shows a name with an inline form to change it. */
function RenameField({
  label,
  value,
  onSave,
}: {
  label: string;
  value: string;
  onSave: (name: string) => Promise<void>;
}) {
  const [draft, setDraft] = useState(value);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => setDraft(value), [value]);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setSaving(true);
    setError(null);

    try {
      await onSave(draft.trim());
    } catch (caught) {
      setError(caught);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="inline-form" onSubmit={(event) => void submit(event)}>
      <Field label={label}>
        {(id) => (
          <input
            id={id}
            required
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
          />
        )}
      </Field>
      <button type="submit" disabled={saving || draft.trim() === value}>
        Rename
      </button>
      <ErrorMessage error={error} context="Renaming failed" />
    </form>
  );
}

function TableRows({ table }: { table: TableInfo }) {
  const [page, setPage] = useState(0);
  const [result, setResult] = useState<QueryResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const orderBy = table.columns.map((_column: TableColumn, index) => index + 1).join(', ');
  const sql = `SELECT * FROM ${quoteIdent(table.name)} ORDER BY ${orderBy} LIMIT ${PAGE_SIZE} OFFSET ${page * PAGE_SIZE}`;
  const pageCount = Math.max(1, Math.ceil(table.rowCount / PAGE_SIZE));

  // A column rename leaves the statement as it is, so the column names are a dependency too.
  const columnNames = table.columns.map((column) => column.name).join('\u0000');

  useEffect(() => {
    const controller = new AbortController();

    apiJson<QueryResult>('/api/sql/query', { body: { sql }, signal: controller.signal }).then(
      (loaded) => {
        setResult(loaded);
        setError(null);
      },
      (caught: unknown) => {
        if (!controller.signal.aborted) {
          setError(caught);
        }
      },
    );

    return () => controller.abort();
  }, [sql, columnNames]);

  return (
    <section aria-labelledby="rows-heading">
      <h2 id="rows-heading">Rows</h2>
      <div className="pager">
        <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>
          Previous page
        </button>
        <span>
          Page {page + 1} of {pageCount}
        </span>
        <button type="button" disabled={page + 1 >= pageCount} onClick={() => setPage(page + 1)}>
          Next page
        </button>
      </div>
      <ErrorMessage error={error} context="Loading the rows failed" />
      {result === null ? null : (
        <DataTable caption={`Rows of ${table.name}`} columns={result.columns} rows={result.rows} />
      )}
    </section>
  );
}

function DropTable({ table, path }: { table: TableInfo; path: string }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const drop = async (): Promise<void> => {
    try {
      await apiJson<undefined>(path, { method: 'DELETE' });
      navigate('/tables');
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <section aria-labelledby="drop-heading">
      <h2 id="drop-heading">Drop</h2>
      {confirming ? (
        <div role="alertdialog" aria-labelledby="drop-question">
          <p id="drop-question">
            Drop {table.name} and its {table.rowCount.toLocaleString('en')} rows? This cannot be
            undone.
          </p>
          <button type="button" className="danger" onClick={() => void drop()}>
            Drop {table.name}
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" onClick={() => setConfirming(true)}>
          Drop this table…
        </button>
      )}
      <ErrorMessage error={error} context="Dropping the table failed" />
    </section>
  );
}
