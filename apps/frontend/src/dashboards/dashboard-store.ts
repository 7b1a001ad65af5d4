import { apiJson } from '../api/client';
import { type StoredDocument } from '../api/types';

export const AGGREGATIONS = ['avg', 'sum', 'min', 'max', 'count', 'count_distinct'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

export const TIME_BUCKETS = ['1 hour', '1 day', '1 week', '1 month', '3 months', '1 year'] as const;

export const WIDGET_TYPES = ['line', 'bar', 'area', 'number', 'table'] as const;
export type WidgetType = (typeof WIDGET_TYPES)[number];

/** The filter operators of `/api/sql/widget-query`. */
export const FILTER_OPS = [
  '=',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'in',
  'between',
  'is_null',
  'not_null',
  'contains',
] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

/** One condition on a column; `value` is a list for `in` and `between`, absent for the null checks. */
export interface WidgetFilter {
  columnId: string;
  op: FilterOp;
  value?: string | string[];
}

/**
 * A widget: one measure, optionally per time bucket and per value of one
 * dimension, over the rows that pass the filters. The table and every
 * column are stored by id, so renaming them (metadata only) keeps the
 * widget working.
 */
export interface Widget {
  id: string;
  type: WidgetType;
  /** Title chosen by the user, or empty for one made from the current column names. */
  title: string;
  tableId: string;
  measure: { columnId: string | null; agg: Aggregation };
  timeBucket: { columnId: string; interval: string } | null;
  groupByColumnId: string | null;
  filters: WidgetFilter[];
}

/** Place and size of a widget on the 12-column grid, in grid units. */
export interface WidgetPlacement {
  i: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Dashboard {
  title: string;
  /** IANA zone in which day and longer buckets start at midnight, and in which times show. */
  timezone: string;
  widgets: Widget[];
  layout: WidgetPlacement[];
}

export const GRID_COLUMNS = 12;

const COLLECTION = '/api/doc/dashboards';

/** Returns a random id of 16 hex digits from crypto.getRandomValues, which works outside secure contexts too. */
export function randomId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(8)), (byte) =>
    byte.toString(16).padStart(2, '0'),
  ).join('');
}

/** Default size of a new widget of this type, in grid units. */
export function defaultSize(type: WidgetType): { w: number; h: number } {
  return type === 'number' ? { w: 3, h: 4 } : { w: 6, h: 9 };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function normalizeWidget(raw: unknown): Widget | null {
  if (!isObject(raw) || typeof raw.id !== 'string' || typeof raw.tableId !== 'string') {
    return null;
  }

  const measure = isObject(raw.measure) ? raw.measure : {};
  const bucket = isObject(raw.timeBucket) ? raw.timeBucket : null;
  const agg = AGGREGATIONS.find((name) => name === measure.agg) ?? 'count';

  return {
    id: raw.id,
    type: WIDGET_TYPES.find((name) => name === raw.type) ?? 'line',
    title: typeof raw.title === 'string' ? raw.title : '',
    tableId: raw.tableId,
    measure: {
      columnId: typeof measure.columnId === 'string' ? measure.columnId : null,
      agg,
    },
    timeBucket:
      bucket !== null && typeof bucket.columnId === 'string'
        ? {
            columnId: bucket.columnId,
            interval: typeof bucket.interval === 'string' ? bucket.interval : '1 day',
          }
        : null,
    groupByColumnId: typeof raw.groupByColumnId === 'string' ? raw.groupByColumnId : null,
    filters: Array.isArray(raw.filters)
      ? raw.filters.filter(
          (filter): filter is WidgetFilter =>
            isObject(filter) &&
            typeof filter.columnId === 'string' &&
            FILTER_OPS.includes(filter.op as FilterOp),
        )
      : [],
  };
}

function overlaps(a: WidgetPlacement, b: WidgetPlacement): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/**
 * Places every widget: keeps the stored placements of known widgets and puts
 * each other one, with its default size, at the first free spot from the
 * top left.
 */
export function completeLayout(
  widgets: readonly Widget[],
  layout: readonly WidgetPlacement[],
): WidgetPlacement[] {
  const placed = layout.filter((item) => widgets.some((widget) => widget.id === item.i));
  const known = new Map(placed.map((item) => [item.i, item] as const));

  return widgets.map((widget): WidgetPlacement => {
    const existing = known.get(widget.id);

    if (existing !== undefined) {
      return existing;
    }

    const { w, h } = defaultSize(widget.type);

    for (let y = 0; ; y += 1) {
      for (let x = 0; x + w <= GRID_COLUMNS; x += 1) {
        const item = { i: widget.id, x, y, w, h };

        if (!placed.some((other) => overlaps(item, other))) {
          placed.push(item);

          return item;
        }
      }
    }
  });
}

/**
 * Reads stored dashboard data, filling what older versions did not store
 * (line widgets only, no layout) so every dashboard has today's shape.
 */
export function normalizeDashboard(raw: unknown): Dashboard {
  const data = isObject(raw) ? raw : {};
  const widgets = (Array.isArray(data.widgets) ? data.widgets : [])
    .map(normalizeWidget)
    .filter((widget): widget is Widget => widget !== null);
  const layout = (Array.isArray(data.layout) ? data.layout : []).filter(
    (item): item is WidgetPlacement =>
      isObject(item) &&
      typeof item.i === 'string' &&
      [item.x, item.y, item.w, item.h].every(
        (value) => typeof value === 'number' && Number.isFinite(value),
      ),
  );

  return {
    title: typeof data.title === 'string' ? data.title : 'Untitled dashboard',
    timezone: typeof data.timezone === 'string' ? data.timezone : 'UTC',
    widgets,
    layout: completeLayout(widgets, layout),
  };
}

function normalizeStored(stored: StoredDocument<unknown>): StoredDocument<Dashboard> {
  return { ...stored, data: normalizeDashboard(stored.data) };
}

export async function listDashboards(): Promise<StoredDocument<Dashboard>[]> {
  const { documents } = await apiJson<{ documents: StoredDocument<unknown>[] }>(
    `${COLLECTION}/query`,
    { body: { limit: 100 } },
  );

  return documents.map(normalizeStored).sort((a, b) => a.data.title.localeCompare(b.data.title));
}

export async function getDashboard(
  id: string,
  signal?: AbortSignal,
): Promise<StoredDocument<Dashboard>> {
  return normalizeStored(
    await apiJson<StoredDocument<unknown>>(`${COLLECTION}/${encodeURIComponent(id)}`, { signal }),
  );
}

/**
 * Replaces the dashboard. With `version`, fails with 412 when someone saved
 * it meanwhile; with `'new'`, fails with 412 when it exists already.
 */
export async function saveDashboard(
  id: string,
  dashboard: Dashboard,
  version?: number | 'new',
): Promise<StoredDocument<Dashboard>> {
  const headers: Record<string, string> =
    version === undefined
      ? {}
      : version === 'new'
        ? { 'if-none-match': '*' }
        : { 'if-match': String(version) };

  return normalizeStored(
    await apiJson<StoredDocument<unknown>>(`${COLLECTION}/${encodeURIComponent(id)}`, {
      method: 'PUT',
      body: dashboard,
      headers,
    }),
  );
}

export function deleteDashboard(id: string): Promise<void> {
  return apiJson<undefined>(`${COLLECTION}/${encodeURIComponent(id)}`, { method: 'DELETE' });
}
