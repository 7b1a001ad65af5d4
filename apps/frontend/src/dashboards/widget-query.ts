import { type QueryResult, type TableInfo } from '../api/types';
import { type Widget, type WidgetFilter } from './dashboard-store';

/** Most bars a bar chart without a time bucket shows, the largest first. */
export const MAX_CATEGORIES = 50;

/** The body of `POST /api/sql/widget-query` for a widget. */
export interface WidgetQueryBody {
  table: string;
  measures: { column?: string; agg: string; as: string }[];
  dimensions?: string[];
  timeBucket?: { column: string; interval: string; timezone: string };
  filters?: { column: string; op: string; value?: string | string[] }[];
  orderBy?: { column: string; dir: 'asc' | 'desc' }[];
  limit?: number;
}

/**
 * Returns an output name for the measure that no column of the table has,
 * because a group-by column keeps its name in the result.
 */
function measureAlias(table: TableInfo | undefined): string {
  const columnNames = new Set((table?.columns ?? []).map((column) => column.name));
  let alias = 'value';

  for (let index = 1; columnNames.has(alias); index += 1) {
    alias = `value_${index}`;
  }

  return alias;
}

function filterBody(filter: WidgetFilter): NonNullable<WidgetQueryBody['filters']>[number] {
  return filter.op === 'is_null' || filter.op === 'not_null'
    ? { column: filter.columnId, op: filter.op }
    : { column: filter.columnId, op: filter.op, value: filter.value ?? '' };
}

/**
 * Builds the widget's query: columns by id, the measure named by an alias,
 * rows ordered by bucket (then group), or by value, largest first, for bars
 * per group. The result's columns are, in order: `bucket` when the widget
 * has a time bucket, the group-by column when it has one, then the value.
 */
export function buildWidgetQuery(
  widget: Widget,
  table: TableInfo | undefined,
  timezone: string,
): WidgetQueryBody {
  const alias = measureAlias(table);
  const query: WidgetQueryBody = {
    table: widget.tableId,
    measures: [
      {
        ...(widget.measure.columnId === null ? {} : { column: widget.measure.columnId }),
        agg: widget.measure.agg,
        as: alias,
      },
    ],
  };
  const orderBy: NonNullable<WidgetQueryBody['orderBy']> = [];

  if (widget.type !== 'number' && widget.timeBucket !== null) {
    query.timeBucket = {
      column: widget.timeBucket.columnId,
      interval: widget.timeBucket.interval,
      timezone,
    };
    orderBy.push({ column: 'bucket', dir: 'asc' });
  }

  if (widget.type !== 'number' && widget.groupByColumnId !== null) {
    query.dimensions = [widget.groupByColumnId];

    if (query.timeBucket === undefined) {
      orderBy.push({ column: alias, dir: 'desc' });
      query.limit = MAX_CATEGORIES;
    } else {
      orderBy.push({ column: widget.groupByColumnId, dir: 'asc' });
    }
  }

  if (widget.filters.length > 0) {
    query.filters = widget.filters.map(filterBody);
  }

  if (orderBy.length > 0) {
    query.orderBy = orderBy;
  }

  return query;
}

/** One row of a widget's result: its bucket (ISO time, UTC), its group and its value. */
export interface WidgetRow {
  bucket: string | null;
  group: string | null;
  value: number | null;
}

function groupText(value: unknown): string {
  if (value === null || value === undefined) {
    return '∅';
  }

  return typeof value === 'object' ? JSON.stringify(value) : String(value as string | number);
}

/** Reads a widget's result by position, as `buildWidgetQuery` ordered its columns. */
export function readWidgetRows(widget: Widget, result: QueryResult): WidgetRow[] {
  const hasBucket = widget.type !== 'number' && widget.timeBucket !== null;
  const hasGroup = widget.type !== 'number' && widget.groupByColumnId !== null;

  return result.rows.map((row) => {
    let index = 0;
    const bucket = hasBucket ? String(row[index++] as string) : null;
    const group = hasGroup ? groupText(row[index++]) : null;
    const raw = row[index];

    return { bucket, group, value: raw === null || raw === undefined ? null : Number(raw) };
  });
}

/** A named series of [bucket or category, value] points, one per group (or a single one). */
export interface Series {
  name: string;
  points: [string, number | null][];
}

/**
 * Splits rows into one series per group, in order of first appearance; rows
 * without a bucket make one series with a point per group.
 */
export function toSeries(rows: readonly WidgetRow[], measureName: string): Series[] {
  if (rows.every((row) => row.bucket === null)) {
    return [{ name: measureName, points: rows.map((row) => [row.group ?? '', row.value]) }];
  }

  const series = new Map<string, Series>();

  for (const row of rows) {
    const name = row.group ?? measureName;
    const entry = series.get(name) ?? { name, points: [] };

    entry.points.push([row.bucket ?? '', row.value]);
    series.set(name, entry);
  }

  return [...series.values()];
}

/**
 * Aligns every series on the same x values: the buckets in time order, or
 * the categories in order of first appearance. A series without a point at
 * some x gets `missing` there (null leaves a gap, 0 suits stacked counts).
 */
export function alignSeries(
  series: readonly Series[],
  bucketed: boolean,
  missing: number | null,
): { keys: string[]; series: { name: string; values: (number | null)[] }[] } {
  const keys = [...new Set(series.flatMap((entry) => entry.points.map(([key]) => key)))];

  if (bucketed) {
    keys.sort((a, b) => Date.parse(a) - Date.parse(b));
  }

  return {
    keys,
    series: series.map((entry) => {
      const values = new Map(entry.points);

      return { name: entry.name, values: keys.map((key) => values.get(key) ?? missing) };
    }),
  };
}

/** Names a column by id with the table's current name. */
export function columnName(table: TableInfo | undefined, id: string): string {
  return (
    table?.columns.find((column) => column.id === id)?.name ?? 'a column that no longer exists'
  );
}

function filterText(table: TableInfo | undefined, filter: WidgetFilter): string {
  const name = columnName(table, filter.columnId);
  const value = filter.value ?? '';

  switch (filter.op) {
    case 'is_null':
      return `${name} is empty`;
    case 'not_null':
      return `${name} is not empty`;
    case 'in':
      return `${name} is one of ${Array.isArray(value) ? value.join(', ') : value}`;
    case 'between':
      return `${name} is between ${Array.isArray(value) ? value.join(' and ') : value}`;
    case 'contains':
      return `${name} contains "${String(value)}"`;
    default:
      return `${name} ${filter.op} ${String(value)}`;
  }
}

/** Describes the widget's query with the table's current column names. */
export function describeWidget(widget: Widget, table: TableInfo | undefined): string {
  const measure =
    widget.measure.columnId === null
      ? widget.measure.agg
      : `${widget.measure.agg} of ${columnName(table, widget.measure.columnId)}`;
  const parts = [measure];

  if (widget.type !== 'number' && widget.timeBucket !== null) {
    parts.push(
      `per ${widget.timeBucket.interval} of ${columnName(table, widget.timeBucket.columnId)}`,
    );
  }

  if (widget.type !== 'number' && widget.groupByColumnId !== null) {
    parts.push(`by ${columnName(table, widget.groupByColumnId)}`);
  }

  parts.push(`in ${table?.name ?? 'a table that no longer exists'}`);

  if (widget.filters.length > 0) {
    parts.push(`where ${widget.filters.map((filter) => filterText(table, filter)).join(' and ')}`);
  }

  return parts.join(' ');
}

/** Returns the widget's title, or one made from the current column names when it has none. */
export function widgetTitle(widget: Widget, table: TableInfo | undefined): string {
  if (widget.title.trim() !== '') {
    return widget.title;
  }

  const measure =
    widget.measure.columnId === null
      ? `${widget.measure.agg} of rows`
      : `${widget.measure.agg} of ${columnName(table, widget.measure.columnId)}`;

  return widget.type === 'number' || widget.timeBucket === null
    ? measure
    : `${measure} per ${widget.timeBucket.interval}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(iso: string, timezone: string): Record<string, string> {
  const key = timezone;
  let formatter = formatters.get(key);

  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(key, formatter);
  }

  return Object.fromEntries(
    formatter.formatToParts(new Date(iso)).map((part) => [part.type, part.value]),
  );
}

/**
 * Returns the wall-clock time in `timezone` of an instant as milliseconds
 * since the epoch read as UTC. ECharts with `useUTC` then labels the axis in
 * the dashboard's zone rather than the browser's.
 */
export function wallClockMillis(iso: string, timezone: string): number {
  const parts = wallClock(iso, timezone);

  return Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
}

/** Formats a bucket's start in the dashboard's zone, as precise as its interval needs. */
export function formatBucket(iso: string, interval: string, timezone: string): string {
  if (Number.isNaN(Date.parse(iso))) {
    return iso;
  }

  const parts = wallClock(iso, timezone);
  const date = `${parts.year}-${parts.month}-${parts.day}`;

  if (/\b(month|months|year|years)\b/u.test(interval)) {
    return /\byears?\b/u.test(interval) ? parts.year : `${parts.year}-${parts.month}`;
  }

  if (/\b(hour|hours|minute|minutes|second|seconds)\b/u.test(interval)) {
    return `${date} ${parts.hour}:${parts.minute}`;
  }

  return date;
}

/** Formats a measure value for people: grouped digits, at most two decimals. */
export function formatValue(value: number | null): string {
  return value === null ? '∅' : value.toLocaleString('en', { maximumFractionDigits: 2 });
}
