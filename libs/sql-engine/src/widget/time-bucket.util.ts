import { quoteIdent } from '@rokks/naming';

import { type ColumnInfo } from '../catalog/catalog.types';
import { SqlEngineError } from '../errors/sql-engine.exception';

const INTERVAL_PATTERN = /^\s*(\d{1,5})\s*(second|minute|hour|day|week|month|year)s?\s*$/i;
const MAX_INTERVAL_COUNT = 10_000;

export type BucketUnit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

export interface BucketInterval {
  count: number;
  unit: BucketUnit;
}

export function parseBucketInterval(interval: string): BucketInterval {
  const match = INTERVAL_PATTERN.exec(interval);
  const count = Number(match?.[1]);

  if (match === null || count < 1 || count > MAX_INTERVAL_COUNT) {
    throw new SqlEngineError(
      'INVALID_INPUT',
      `invalid bucket interval ${JSON.stringify(interval)}: use "<n> <unit>" with n from 1 to ${MAX_INTERVAL_COUNT} and unit second, minute, hour, day, week, month or year`,
      { value: interval },
    );
  }

  return { count, unit: match[2].toLowerCase() as BucketUnit };
}

/** Throws INVALID_INPUT unless `timezone` is an IANA time zone name that `Intl.DateTimeFormat` accepts. */
export function assertTimeZone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw new SqlEngineError('INVALID_INPUT', `unknown time zone ${JSON.stringify(timezone)}: use an IANA name such as Europe/Berlin`, {
      value: timezone,
    });
  }
}

/** Adds a parameter and returns its placeholder. */
export type AddParam = (value: string) => string;

/** Returns the column as a timestamptz expression: a timestamp without zone is read as UTC, a date as local midnight. */
function instantExpression(column: ColumnInfo, zone: () => string): string {
  const name = quoteIdent(column.name);

  switch (column.type) {
    case 'timestamptz':
      return name;
    case 'timestamp':
      return `(${name} AT TIME ZONE 'UTC')`;
    case 'date':
      return `(${name}::timestamp AT TIME ZONE ${zone()})`;
    default:
      throw new SqlEngineError(
        'INVALID_INPUT',
        `column ${column.name} has type ${column.type}: a time bucket needs a timestamptz, timestamp or date column`,
        { column: column.name },
      );
  }
}

/**
 * Builds the bucket expression (a timestamptz). Buckets shorter than a day
 * are whole intervals of absolute time from 2000-01-03 00:00 UTC. Day and
 * week buckets start at local midnight in `timezone` (weeks on Monday), and
 * month and year buckets at local midnight of the first of the month. So a
 * daylight-saving day lasts 23 or 25 hours. TimescaleDB's `time_bucket`
 * (used when `timescaleSchema`, the extension's schema, is set) and
 * PostgreSQL's `date_bin` give the same buckets.
 */
export function bucketExpression(
  column: ColumnInfo,
  interval: BucketInterval,
  timezone: string,
  timescaleSchema: string | null,
  addParam: AddParam,
): string {
  const timeBucket = timescaleSchema === null ? null : `${quoteIdent(timescaleSchema)}.time_bucket`;
  let zoneParam: string | null = null;
  const zone = (): string => {
    zoneParam ??= `${addParam(timezone)}::text`;

    return zoneParam;
  };

  const instant = instantExpression(column, zone);
  const isMonthly = interval.unit === 'month' || interval.unit === 'year';
  const months = interval.unit === 'year' ? interval.count * 12 : interval.count;
  // Added only where used: PostgreSQL cannot type a parameter that no expression uses.
  const width = (): string =>
    `${addParam(isMonthly ? `${months} months` : `${interval.count} ${interval.unit}s`)}::interval`;

  if (interval.unit === 'second' || interval.unit === 'minute' || interval.unit === 'hour') {
    return timeBucket !== null
      ? `${timeBucket}(${width()}, ${instant})`
      : `date_bin(${width()}, ${instant}, TIMESTAMPTZ '2000-01-03 00:00:00+00')`;
  }

  if (timeBucket !== null) {
    return `${timeBucket}(${width()}, ${instant}, ${zone()})`;
  }

  const local = `(${instant} AT TIME ZONE ${zone()})`;

  if (!isMonthly) {
    return `(date_bin(${width()}, ${local}, TIMESTAMP '2000-01-03 00:00:00') AT TIME ZONE ${zone()})`;
  }

  const monthIndex = `((extract(year FROM ${local}) - 2000) * 12 + extract(month FROM ${local}) - 1)`;
  const monthCount = `${addParam(String(months))}::int`;

  return `((TIMESTAMP '2000-01-01 00:00:00' + (floor(${monthIndex} / ${monthCount}) * ${monthCount})::int * INTERVAL '1 month') AT TIME ZONE ${zone()})`;
}
