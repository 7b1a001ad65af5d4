import { useEffect, useState } from 'react';
import { Button } from 'react-aria-components';

import { quoteIdent } from '@rokks/naming';

import { apiJson } from '../api/client';
import { type QueryResult, type TableInfo } from '../api/types';
import { Link, navigate } from '../app/router';
import { DataTable } from '../components/DataTable';
import { ErrorMessage } from '../components/ErrorMessage';
import { RenameField } from '../components/RenameField';
import { SelectField } from '../components/SelectField';
import { DropTableDialog } from './DropTableDialog';

const PAGE_SIZES = ['50', '100', '500', '1000'] as const;

type PageSize = (typeof PAGE_SIZES)[number];

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
      <section>
        <p>
          <Link to="/tables">← All tables</Link>
        </p>
        <ErrorMessage error={error} context="Loading the table failed" />
      </section>
    );
  }

  return (
    <section>
      <p>
        <Link to="/tables">← All tables</Link>
      </p>
      <h1>Table {table.name}</h1>
      <p>{table.rowCount.toLocaleString('en')} rows.</p>
      <p className="help">
        Renaming changes only the names that queries and dashboards use. The stored data stays as it
        is, and dashboards keep working because they refer to tables and columns by id.
      </p>
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
      <DropTable table={table} />
    </section>
  );
}

/** Builds the statement for one page of rows, ordered by every column so that pages do not overlap. */
function pageQuery(table: TableInfo, pageSize: number, page: number): string {
  const orderBy = table.columns.map((_column, index) => index + 1).join(', ');

  return `SELECT * FROM ${quoteIdent(table.name)} ORDER BY ${orderBy} LIMIT ${pageSize} OFFSET ${page * pageSize}`;
}

function TableRows({ table }: { table: TableInfo }) {
  const [page, setPage] = useState(0);
  const [pageSize, setPageSize] = useState<PageSize>('100');
  // The rows shown and the number of their first row, which lags behind `page` while the next page loads.
  const [shown, setShown] = useState<{ result: QueryResult; firstRow: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const size = Number(pageSize);
  const sql = pageQuery(table, size, page);
  const pageCount = Math.max(1, Math.ceil(table.rowCount / size));

  // A column rename leaves the statement as it is, so the column names are a dependency too.
  const columnNames = table.columns.map((column) => column.name).join('\u0000');

  useEffect(() => {
    const controller = new AbortController();

    setLoading(true);
    apiJson<QueryResult>('/api/sql/query', {
      body: { sql, limit: size },
      signal: controller.signal,
    }).then(
      (loaded) => {
        setShown({ result: loaded, firstRow: page * size + 1 });
        setError(null);
        setLoading(false);
      },
      (caught: unknown) => {
        if (!controller.signal.aborted) {
          setError(caught);
          setLoading(false);
        }
      },
    );

    return () => controller.abort();
  }, [sql, page, size, columnNames]);

  const first = page * size + 1;
  const last = Math.min((page + 1) * size, table.rowCount);

  return (
    <section aria-labelledby="rows-heading">
      <h2 id="rows-heading">Rows</h2>
      <div className="pager">
        <SelectField
          label="Rows per page"
          options={PAGE_SIZES.map((value) => ({ id: value, label: value }))}
          value={pageSize}
          onChange={(value) => {
            setPageSize(value);
            setPage(0);
          }}
        />
        <Button isDisabled={page === 0} onPress={() => setPage(0)}>
          First page
        </Button>
        <Button isDisabled={page === 0} onPress={() => setPage(page - 1)}>
          Previous page
        </Button>
        <span role="status">
          Page {page + 1} of {pageCount}
          {table.rowCount > 0
            ? ` (rows ${first.toLocaleString('en')}–${last.toLocaleString('en')})`
            : ''}
          {loading ? ', loading…' : ''}
        </span>
        <Button isDisabled={page + 1 >= pageCount} onPress={() => setPage(page + 1)}>
          Next page
        </Button>
        <Button isDisabled={page + 1 >= pageCount} onPress={() => setPage(pageCount - 1)}>
          Last page
        </Button>
      </div>
      <ErrorMessage error={error} context="Loading the rows failed" />
      {shown === null ? null : (
        <DataTable
          caption={`Rows of ${table.name}`}
          columns={shown.result.columns}
          rows={shown.result.rows}
          firstRowNumber={shown.firstRow}
          testId="table-rows"
        />
      )}
    </section>
  );
}

function DropTable({ table }: { table: TableInfo }) {
  const [confirming, setConfirming] = useState(false);

  return (
    <section aria-labelledby="drop-heading">
      <h2 id="drop-heading">Drop</h2>
      <p className="help">
        Dropping deletes the table and its rows for good. Charts on it stop showing data.
      </p>
      <Button className="danger" onPress={() => setConfirming(true)}>
        Drop this table…
      </Button>
      <DropTableDialog
        table={table}
        isOpen={confirming}
        onOpenChange={setConfirming}
        onDropped={() => navigate('/tables')}
      />
    </section>
  );
}
