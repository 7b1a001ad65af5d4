/** A result column as the API describes it. */
export interface ResultColumn {
  name: string;
  type: string;
}

const NUMERIC_TYPES = new Set(['integer', 'float', 'numeric', 'bigint', 'smallint', 'double precision', 'real']);

function cellText(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }

  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Formats rows as an aligned text table with a header, numbers right-aligned. */
export function formatTable(columns: readonly ResultColumn[], rows: readonly (readonly unknown[])[]): string {
  const cells = rows.map((row) => columns.map((_, index) => cellText(row[index]).replace(/\r?\n/gu, '↵')));
  const widths = columns.map((column, index) => Math.max(column.name.length, ...cells.map((row) => row[index].length)));
  const line = (values: readonly string[], header: boolean) =>
    values
      .map((value, index) =>
        !header && NUMERIC_TYPES.has(columns[index].type) ? value.padStart(widths[index]) : value.padEnd(widths[index]),
      )
      .join('  ')
      .trimEnd();

  return [
    line(
      columns.map((column) => column.name),
      true,
    ),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...cells.map((row) => line(row, false)),
  ]
    .map((text) => `${text}\n`)
    .join('');
}

/** Formats rows as RFC 4180 CSV with a header row and CRLF line ends. */
export function formatCsv(columns: readonly ResultColumn[], rows: readonly (readonly unknown[])[]): string {
  const field = (value: string) => (/[",\r\n]/u.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

  return [columns.map((column) => field(column.name)), ...rows.map((row) => columns.map((_, index) => field(cellText(row[index]))))]
    .map((values) => `${values.join(',')}\r\n`)
    .join('');
}
