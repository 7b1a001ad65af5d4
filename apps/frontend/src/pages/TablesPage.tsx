import { Link } from '../app/router';
import { ErrorMessage } from '../components/ErrorMessage';
import { useTables } from './use-tables';

/** Lists the workspace's tables with their row counts. */
export function TablesPage() {
  const { tables, error, reload } = useTables();

  return (
    <section>
      <h1>Tables</h1>
      <button type="button" onClick={reload}>
        Reload
      </button>
      <ErrorMessage error={error} context="Loading the tables failed" />
      {tables === null ? (
        error === null ? (
          <p role="status">Loading…</p>
        ) : null
      ) : (
        <table data-testid="tables">
          <caption>{tables.length === 1 ? '1 table' : `${tables.length} tables`}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Rows</th>
              <th scope="col">Columns</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {tables.map((table) => (
              <tr key={table.id}>
                <th scope="row">
                  <Link to={`/tables/${table.id}`}>{table.name}</Link>
                </th>
                <td className="number">{table.rowCount.toLocaleString('en')}</td>
                <td>{table.columns.map((column) => column.name).join(', ')}</td>
                <td>{new Date(table.updatedAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
