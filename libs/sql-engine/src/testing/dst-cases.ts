import { type SqlEngine } from '../sql-engine';
import { type WidgetQuery } from '../widget/widget-query.types';

const HALF_HOUR_MS = 30 * 60 * 1000;

/** Half-hourly readings (value 1) across both 2024 daylight-saving changes of Europe/Berlin. */
export function halfHourReadings(): [string, number][] {
  const rows: [string, number][] = [];
  const ranges = [
    ['2024-03-30T00:00:00Z', '2024-04-02T00:00:00Z'],
    ['2024-10-26T00:00:00Z', '2024-10-29T00:00:00Z'],
  ];

  for (const [start, end] of ranges) {
    for (let time = Date.parse(start); time < Date.parse(end); time += HALF_HOUR_MS) {
      rows.push([new Date(time).toISOString().replace('.000Z', 'Z'), 1]);
    }
  }

  return rows;
}

export async function loadReadings(engine: SqlEngine, workspace: string, table: string, timeColumn = false): Promise<void> {
  async function* source(): AsyncIterable<(string | number)[][]> {
    yield halfHourReadings();
  }

  await engine.load(
    {
      workspace,
      table,
      loadId: `${table}-readings`,
      mode: 'create',
      columns: [
        { name: 'read_at', type: 'timestamptz' },
        { name: 'value', type: 'float' },
      ],
      timeColumn: timeColumn ? 'read_at' : undefined,
    },
    source(),
  );
}

/** Builds a widget query of `count` per bucket between two instants (start inclusive, end exclusive). */
export function bucketQuery(table: string, interval: string, from: string, to: string): WidgetQuery {
  return {
    table,
    measures: [{ agg: 'count' }],
    timeBucket: { column: 'read_at', interval, timezone: 'Europe/Berlin' },
    filters: [
      { column: 'read_at', op: '>=', value: from },
      { column: 'read_at', op: '<', value: to },
    ],
  };
}

/** Queries with the buckets and counts the contract requires, as result rows. */
export const DST_CASES: { name: string; interval: string; from: string; to: string; rows: [string, number][] }[] = [
  {
    name: 'daily, spring forward: 23 hours',
    interval: '1 day',
    from: '2024-03-30T23:00:00Z',
    to: '2024-04-01T22:00:00Z',
    rows: [
      ['2024-03-30T23:00:00Z', 46],
      ['2024-03-31T22:00:00Z', 48],
    ],
  },
  {
    name: 'daily, fall back: 25 hours',
    interval: '1 day',
    from: '2024-10-26T22:00:00Z',
    to: '2024-10-28T23:00:00Z',
    rows: [
      ['2024-10-26T22:00:00Z', 50],
      ['2024-10-27T23:00:00Z', 48],
    ],
  },
  {
    name: 'hourly, spring forward: no gap in absolute time',
    interval: '1 hour',
    from: '2024-03-31T00:00:00Z',
    to: '2024-03-31T03:00:00Z',
    rows: [
      ['2024-03-31T00:00:00Z', 2],
      ['2024-03-31T01:00:00Z', 2],
      ['2024-03-31T02:00:00Z', 2],
    ],
  },
  {
    name: 'hourly, fall back: the repeated hour is two buckets',
    interval: '1 hour',
    from: '2024-10-26T23:00:00Z',
    to: '2024-10-27T03:00:00Z',
    rows: [
      ['2024-10-26T23:00:00Z', 2],
      ['2024-10-27T00:00:00Z', 2],
      ['2024-10-27T01:00:00Z', 2],
      ['2024-10-27T02:00:00Z', 2],
    ],
  },
  {
    name: 'monthly: local midnight of the first',
    interval: '1 month',
    from: '2024-03-30T00:00:00Z',
    to: '2024-04-02T00:00:00Z',
    rows: [
      ['2024-02-29T23:00:00Z', 92],
      ['2024-03-31T22:00:00Z', 52],
    ],
  },
];
