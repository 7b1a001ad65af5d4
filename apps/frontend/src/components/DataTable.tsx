/** Formats one cell: null shows as an empty marker, objects as JSON, bigints as digits. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) {
    return '∅';
  }

  if (typeof value === 'object') {
    return JSON.stringify(value);
  }

  return String(value as string | number | bigint | boolean);
}

interface DataTableProps {
  caption: string;
  columns: readonly { name: string; type?: string }[];
  rows: readonly (readonly unknown[])[];
  /** Shown in place of the body when there are no rows. */
  empty?: string;
  testId?: string;
}

/** Renders a plain table of result rows with typed headers. */
export function DataTable({ caption, columns, rows, empty = 'No rows.', testId }: DataTableProps) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={caption}>
      <table data-testid={testId}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column, index) => (
              <th key={`${index}-${column.name}`} scope="col">
                {column.name}
                {column.type === undefined ? null : <span className="type"> {column.type}</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={Math.max(columns.length, 1)}>{empty}</td>
            </tr>
          ) : (
            rows.map((row, rowIndex) => (
              <tr key={rowIndex}>
                {row.map((value, columnIndex) => (
                  <td key={columnIndex} className={value === null ? 'null' : undefined}>
                    {formatCell(value)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
