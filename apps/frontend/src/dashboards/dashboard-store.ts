import { apiJson } from '../api/client';
import { type StoredDocument } from '../api/types';

export const AGGREGATIONS = ['avg', 'sum', 'min', 'max', 'count', 'count_distinct'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

export const TIME_BUCKETS = ['1 hour', '1 day', '1 week', '1 month', '3 months', '1 year'] as const;

/**
 * A line chart of one measure over time buckets. Columns and the table are
 * stored by id, so renaming them (metadata only) keeps the widget working.
 */
export interface LineWidget {
  id: string;
  type: 'line';
  title: string;
  tableId: string;
  measure: { columnId: string | null; agg: Aggregation };
  timeBucket: { columnId: string; interval: string };
}

export interface Dashboard {
  title: string;
  /** IANA zone in which day and longer buckets start at midnight. */
  timezone: string;
  widgets: LineWidget[];
}

const COLLECTION = '/api/doc/dashboards';

/** Returns a random id of 16 hex digits from crypto.getRandomValues, which works outside secure contexts too. */
export function randomId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(8)), (byte) =>
    byte.toString(16).padStart(2, '0'),
  ).join('');
}

export async function listDashboards(): Promise<StoredDocument<Dashboard>[]> {
  const { documents } = await apiJson<{ documents: StoredDocument<Dashboard>[] }>(
    `${COLLECTION}/query`,
    { body: { limit: 100 } },
  );

  return documents.sort((a, b) => a.data.title.localeCompare(b.data.title));
}

export function getDashboard(id: string, signal?: AbortSignal): Promise<StoredDocument<Dashboard>> {
  return apiJson<StoredDocument<Dashboard>>(`${COLLECTION}/${encodeURIComponent(id)}`, { signal });
}

/** Replaces the dashboard; with `version`, fails with 412 when someone saved it meanwhile. */
export function saveDashboard(
  id: string,
  dashboard: Dashboard,
  version?: number,
): Promise<StoredDocument<Dashboard>> {
  return apiJson<StoredDocument<Dashboard>>(`${COLLECTION}/${encodeURIComponent(id)}`, {
    method: 'PUT',
    body: dashboard,
    headers: version === undefined ? {} : { 'if-match': String(version) },
  });
}

export function deleteDashboard(id: string): Promise<void> {
  return apiJson<undefined>(`${COLLECTION}/${encodeURIComponent(id)}`, { method: 'DELETE' });
}
