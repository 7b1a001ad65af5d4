import { useEffect, useRef, useState } from 'react';
import { Button } from 'react-aria-components';

import { apiJson } from '../api/client';
import { type TableInfo } from '../api/types';
import { Link } from '../app/router';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatTime } from '../components/format-time';
import { RenameField } from '../components/RenameField';
import { DropTableDialog } from './DropTableDialog';
import { useTables } from './use-tables';

/** Lists the workspace's tables with their row counts; each can be renamed or dropped here. */
export function TablesPage() {
  const { tables, error, reload } = useTables();
  const [renaming, setRenaming] = useState<string | null>(null);
  const [dropping, setDropping] = useState<TableInfo | null>(null);
  // The rename field takes the focus with it when it closes, so the focus moves to the table's link.
  const [focusTableId, setFocusTableId] = useState<string | null>(null);
  const listRef = useRef<HTMLTableElement>(null);

  useEffect(() => {
    if (focusTableId === null || renaming !== null) {
      return;
    }

    listRef.current?.querySelector<HTMLElement>(`[data-table-id="${focusTableId}"]`)?.focus();
  }, [focusTableId, renaming, tables]);

  const closeRename = (tableId: string): void => {
    setRenaming(null);
    setFocusTableId(tableId);
  };

  const rename = async (table: TableInfo, name: string): Promise<void> => {
    await apiJson<TableInfo>(`/api/sql/tables/${encodeURIComponent(table.id)}`, {
      method: 'PATCH',
      body: { name },
    });
    closeRename(table.id);
    reload();
  };

  return (
    <section>
      <h1>Tables</h1>
      <p className="help">
        Open a table to rename its columns and browse its rows. Load a file on the{' '}
        <Link to="/data">Data</Link> page to add a table.
      </p>
      <Button onPress={reload}>Reload</Button>
      <ErrorMessage error={error} context="Loading the tables failed" />
      {tables === null ? (
        error === null ? (
          <p role="status">Loading…</p>
        ) : null
      ) : (
        <div className="table-scroll full" tabIndex={0} role="region" aria-label="Tables">
          <table data-testid="tables" ref={listRef}>
            <caption>{tables.length === 1 ? '1 table' : `${tables.length} tables`}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="number">
                  Rows
                </th>
                <th scope="col">Columns</th>
                <th scope="col">Updated</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {tables.length === 0 ? (
                <tr>
                  <td colSpan={5}>No tables yet.</td>
                </tr>
              ) : null}
              {tables.map((table) => (
                <tr key={table.id}>
                  <th scope="row">
                    {renaming === table.id ? (
                      <RenameField
                        label={`New name for ${table.name}`}
                        value={table.name}
                        autoFocus
                        onSave={(name) => rename(table, name)}
                        onCancel={() => closeRename(table.id)}
                      />
                    ) : (
                      <Link to={`/tables/${table.id}`} data-table-id={table.id}>
                        {table.name}
                      </Link>
                    )}
                  </th>
                  <td className="number">{table.rowCount.toLocaleString('en')}</td>
                  <td className="wrap">{table.columns.map((column) => column.name).join(', ')}</td>
                  <td>{formatTime(table.updatedAt)}</td>
                  <td>
                    <span className="row-actions">
                      <Button
                        className="secondary"
                        aria-label={`Rename ${table.name}`}
                        isDisabled={renaming === table.id}
                        onPress={() => setRenaming(table.id)}
                      >
                        Rename
                      </Button>
                      <Button
                        className="secondary"
                        aria-label={`Drop ${table.name}`}
                        onPress={() => setDropping(table)}
                      >
                        Drop…
                      </Button>
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {dropping === null ? null : (
        <DropTableDialog
          table={dropping}
          isOpen
          onOpenChange={(open) => {
            if (!open) {
              setDropping(null);
            }
          }}
          onDropped={reload}
        />
      )}
    </section>
  );
}
