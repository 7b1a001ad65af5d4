import { isColumnId, quoteIdent, quoteQualifiedName, toPostgresType } from '@rokks/naming';

import { type SqlParam } from '../backends/backend';
import { type ColumnInfo, type TableInfo, type WorkspaceInfo } from '../catalog/catalog.types';
import { SqlEngineError } from '../errors/sql-engine.exception';
import { assertTimeZone, bucketExpression, parseBucketInterval } from './time-bucket.util';
import {
  WIDGET_AGGREGATES,
  WIDGET_FILTER_OPS,
  type WidgetFilter,
  type WidgetMeasure,
  type WidgetQuery,
  type WidgetScalar,
} from './widget-query.types';

export interface CompiledWidgetQuery {
  sql: string;
  params: SqlParam[];
  /** Output column names, in order. */
  columns: string[];
}

const MAX_IN_VALUES = 1_000;
const NUMERIC_TYPES = new Set(['integer', 'float', 'numeric']);
const COMPARISON_OPS = new Set(['=', '!=', '<', '<=', '>', '>=']);

function invalid(message: string, details: Record<string, unknown> = {}): never {
  throw new SqlEngineError('INVALID_INPUT', message, details);
}

/** Finds a column by column id or logical name; NOT_FOUND names both the column and the table. */
export function resolveColumn(table: TableInfo, reference: unknown): ColumnInfo {
  const column =
    typeof reference !== 'string'
      ? undefined
      : table.columns.find((candidate) => (isColumnId(reference) ? candidate.id : candidate.name) === reference);

  if (column === undefined) {
    throw new SqlEngineError('NOT_FOUND', `column ${JSON.stringify(reference)} not found in table ${table.name}`, {
      table: table.name,
      column: typeof reference === 'string' ? reference : undefined,
    });
  }

  return column;
}

function scalarText(value: unknown, column: ColumnInfo, op: string): string {
  if (typeof value === 'string') {
    return value;
  }

  if (typeof value === 'number' && Number.isFinite(value)) {
    return String(value);
  }

  if (typeof value === 'boolean') {
    return value ? 'true' : 'false';
  }

  return invalid(
    `invalid value ${JSON.stringify(value) ?? String(value)} for filter ${op} on column ${column.name}: use a string, number or boolean`,
    { column: column.name, value },
  );
}

class SqlBuilder {
  readonly params: SqlParam[] = [];

  add(value: string): string {
    this.params.push(value);

    return `$${this.params.length}`;
  }

  typed(value: unknown, column: ColumnInfo, op: string): string {
    return `${this.add(scalarText(value, column, op))}::${toPostgresType(column.type)}`;
  }
}

function measureSql(table: TableInfo, measure: WidgetMeasure): { expression: string; name: string } {
  if (!WIDGET_AGGREGATES.includes(measure.agg)) {
    invalid(`invalid aggregate ${JSON.stringify(measure.agg)}: use one of ${WIDGET_AGGREGATES.join(', ')}`, {
      value: measure.agg,
    });
  }

  if (measure.column === undefined) {
    if (measure.agg !== 'count') {
      invalid(`aggregate ${measure.agg} needs a column`, { value: measure.agg });
    }

    return { expression: 'count(*)', name: measure.as ?? 'count' };
  }

  const column = resolveColumn(table, measure.column);
  const name = measure.as ?? `${measure.agg}_${column.name}`;
  const quoted = quoteIdent(column.name);

  if ((measure.agg === 'sum' || measure.agg === 'avg') && !NUMERIC_TYPES.has(column.type)) {
    invalid(`aggregate ${measure.agg} needs a numeric column, ${column.name} has type ${column.type}`, {
      column: column.name,
    });
  }

  switch (measure.agg) {
    case 'count':
      return { expression: `count(${quoted})`, name };
    case 'count_distinct':
      return { expression: `count(DISTINCT ${quoted})`, name };
    case 'avg':
      // The average of integers is numeric in PostgreSQL, with 16 or more
      // fraction digits: a chart wants a double, exact columns stay exact.
      return {
        expression: column.type === 'numeric' ? `avg(${quoted})` : `avg(${quoted})::double precision`,
        name,
      };
    case 'sum':
    case 'min':
    case 'max':
      return { expression: `${measure.agg}(${quoted})`, name };
  }
}

function filterSql(table: TableInfo, filter: WidgetFilter, builder: SqlBuilder): string {
  const column = resolveColumn(table, filter.column);
  const quoted = quoteIdent(column.name);
  const { op, value } = filter;

  if (!WIDGET_FILTER_OPS.includes(op)) {
    invalid(`invalid filter operator ${JSON.stringify(op)}: use one of ${WIDGET_FILTER_OPS.join(' ')}`, {
      column: column.name,
      value: op,
    });
  }

  if (op === 'is_null') {
    return `${quoted} IS NULL`;
  }

  if (op === 'not_null') {
    return `${quoted} IS NOT NULL`;
  }

  if (op === 'in') {
    if (!Array.isArray(value) || value.length === 0 || value.length > MAX_IN_VALUES) {
      invalid(`filter in on column ${column.name} needs an array of 1 to ${MAX_IN_VALUES} values`, {
        column: column.name,
        value,
      });
    }

    return `${quoted} IN (${(value as readonly WidgetScalar[]).map((item) => builder.typed(item, column, op)).join(', ')})`;
  }

  if (op === 'between') {
    if (!Array.isArray(value) || value.length !== 2) {
      invalid(`filter between on column ${column.name} needs an array of two values`, { column: column.name, value });
    }

    const [low, high] = value as readonly WidgetScalar[];

    return `${quoted} BETWEEN ${builder.typed(low, column, op)} AND ${builder.typed(high, column, op)}`;
  }

  if (op === 'contains') {
    return `strpos(${quoted}::text, ${builder.add(scalarText(value, column, op))}::text) > 0`;
  }

  if (!COMPARISON_OPS.has(op)) {
    invalid(`invalid filter operator ${op}`);
  }

  if (value === null || value === undefined) {
    invalid(`filter ${op} on column ${column.name} needs a value: use is_null or not_null for nulls`, {
      column: column.name,
    });
  }

  return `${quoted} ${op === '!=' ? '<>' : op} ${builder.typed(value, column, op)}`;
}

/**
 * Compiles a widget query to one parameterised SELECT on the table's view;
 * `timescaleSchema` is the TimescaleDB extension's schema, or null without it.
 * Identifiers come only from the catalog (a column may be named by id or
 * logical name) and every value is a parameter. Output columns: `bucket`
 * when there is a time bucket, the dimensions, then the measures.
 */
export function compileWidgetQuery(
  query: WidgetQuery,
  table: TableInfo,
  workspace: WorkspaceInfo,
  timescaleSchema: string | null,
): CompiledWidgetQuery {
  const builder = new SqlBuilder();
  const select: string[] = [];
  const columns: string[] = [];
  const measures = query.measures ?? [];
  const dimensions = query.dimensions ?? [];

  if (!Array.isArray(measures) || !Array.isArray(dimensions)) {
    invalid('measures and dimensions must be arrays');
  }

  if (query.timeBucket !== undefined) {
    const column = resolveColumn(table, query.timeBucket.column);
    const timezone = query.timeBucket.timezone ?? 'UTC';

    assertTimeZone(timezone);
    select.push(
      `${bucketExpression(column, parseBucketInterval(query.timeBucket.interval), timezone, timescaleSchema, (value) => builder.add(value))} AS "bucket"`,
    );
    columns.push('bucket');
  }

  for (const reference of dimensions) {
    const column = resolveColumn(table, reference);

    select.push(quoteIdent(column.name));
    columns.push(column.name);
  }

  const groupCount = select.length;

  for (const measure of measures) {
    const { expression, name } = measureSql(table, measure);

    select.push(`${expression} AS ${quoteIdent(name)}`);
    columns.push(name);
  }

  if (select.length === 0) {
    invalid('a widget query needs at least one measure, dimension or time bucket');
  }

  if (new Set(columns).size !== columns.length) {
    invalid(`output column names must be unique: ${columns.join(', ')}; give measures distinct "as" names`);
  }

  const where = (query.filters ?? []).map((filter) => filterSql(table, filter, builder));
  const groupBy = Array.from({ length: groupCount }, (_, index) => String(index + 1));
  const orderBy = (query.orderBy ?? groupBy.map((_, index) => ({ column: columns[index], dir: 'asc' as const }))).map(
    (order) => {
      const reference = isColumnId(order.column) ? resolveColumn(table, order.column).name : order.column;
      const position = columns.indexOf(reference);

      if (position === -1) {
        invalid(`cannot order by ${JSON.stringify(order.column)}: use one of the output columns ${columns.join(', ')}`, {
          column: order.column,
        });
      }

      if (order.dir !== undefined && order.dir !== 'asc' && order.dir !== 'desc') {
        invalid(`invalid order direction ${JSON.stringify(order.dir)}: use asc or desc`, { value: order.dir });
      }

      return `${position + 1} ${order.dir === 'desc' ? 'DESC' : 'ASC'}`;
    },
  );

  let sql = `SELECT ${select.join(', ')} FROM ${quoteQualifiedName(workspace.viewSchema, table.name)}`;

  if (where.length > 0) {
    sql += ` WHERE ${where.join(' AND ')}`;
  }

  if (groupCount > 0 && measures.length > 0) {
    sql += ` GROUP BY ${groupBy.join(', ')}`;
  } else if (groupCount > 0) {
    sql = sql.replace(/^SELECT /, 'SELECT DISTINCT ');
  }

  if (orderBy.length > 0) {
    sql += ` ORDER BY ${orderBy.join(', ')}`;
  }

  return { sql, params: builder.params, columns };
}
