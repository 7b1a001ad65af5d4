import { EvaluationError } from './expression-error';

/**
 * Field access on the canonical strings of the date and time types:
 * `YYYY-MM-DD`, `YYYY-MM-DDTHH:mm:ss[.ffffff]` and the same with `Z`.
 * A timestamptz is always UTC, so its fields are UTC fields.
 */
export const DATE_PARTS = [
  'year',
  'quarter',
  'month',
  'week',
  'day',
  'dow',
  'isodow',
  'doy',
  'hour',
  'minute',
  'second',
  'epoch',
] as const;

export type DatePart = (typeof DATE_PARTS)[number];

export const TRUNC_UNITS = [
  'year',
  'quarter',
  'month',
  'week',
  'day',
  'hour',
  'minute',
  'second',
] as const;

export type TruncUnit = (typeof TRUNC_UNITS)[number];

interface DateTimeFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Fraction of a second as digits after the point, `''` when there are none. */
  fraction: string;
}

const DATE_TIME_PATTERN = /^(-?\d{4,})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z?)?$/;

function readFields(text: string): DateTimeFields {
  const match = DATE_TIME_PATTERN.exec(text);

  if (match === null) {
    throw new EvaluationError(`invalid date or time value "${text}"`);
  }

  return {
    year: Number(match[1]),
    month: Number(match[2]),
    day: Number(match[3]),
    hour: Number(match[4] ?? 0),
    minute: Number(match[5] ?? 0),
    second: Number(match[6] ?? 0),
    fraction: match[7] ?? '',
  };
}

function utcDate(year: number, month: number, day: number): Date {
  const date = new Date(0);

  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  date.setUTCFullYear(year, month - 1, day);

  return date;
}

const DAY_MS = 86_400_000;

function isoWeek(fields: DateTimeFields): number {
  const date = utcDate(fields.year, fields.month, fields.day);
  const isoDay = date.getUTCDay() === 0 ? 7 : date.getUTCDay();
  // The ISO week belongs to the year of its Thursday.
  const thursday = new Date(date.getTime() + (4 - isoDay) * DAY_MS);
  const yearStart = utcDate(thursday.getUTCFullYear(), 1, 1);

  return Math.floor((thursday.getTime() - yearStart.getTime()) / DAY_MS / 7) + 1;
}

/** Returns a field as a bigint, except `second` (with its fraction) and `epoch`, which are doubles. */
export function datePart(part: DatePart, text: string): bigint | number {
  const fields = readFields(text);

  switch (part) {
    case 'year':
      return BigInt(fields.year);
    case 'quarter':
      return BigInt(Math.floor((fields.month - 1) / 3) + 1);
    case 'month':
      return BigInt(fields.month);
    case 'week':
      return BigInt(isoWeek(fields));
    case 'day':
      return BigInt(fields.day);
    case 'dow':
      return BigInt(utcDate(fields.year, fields.month, fields.day).getUTCDay());
    case 'isodow': {
      const day = utcDate(fields.year, fields.month, fields.day).getUTCDay();

      return BigInt(day === 0 ? 7 : day);
    }

    case 'doy': {
      const start = utcDate(fields.year, 1, 1).getTime();

      return BigInt(
        (utcDate(fields.year, fields.month, fields.day).getTime() - start) / DAY_MS + 1,
      );
    }

    case 'hour':
      return BigInt(fields.hour);
    case 'minute':
      return BigInt(fields.minute);
    case 'second':
      return Number(`${fields.second}.${fields.fraction || '0'}`);
    case 'epoch': {
      const midnight = utcDate(fields.year, fields.month, fields.day).getTime() / 1000;

      return (
        midnight +
        fields.hour * 3600 +
        fields.minute * 60 +
        Number(`${fields.second}.${fields.fraction || '0'}`)
      );
    }
  }
}

function pad(value: number, width: number): string {
  return value < 0 ? `-${String(-value).padStart(width, '0')}` : String(value).padStart(width, '0');
}

function formatDate(year: number, month: number, day: number): string {
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/**
 * Truncates a date or time string to the start of the unit and writes it back
 * in the same type: a date stays a date, and a timestamptz keeps its `Z`.
 * `week` starts on Monday, as ISO weeks do.
 */
export function dateTrunc(
  unit: TruncUnit,
  text: string,
  kind: 'date' | 'timestamp' | 'timestamptz',
): string {
  const fields = readFields(text);
  let { year, month, day, hour, minute, second } = fields;

  switch (unit) {
    case 'year':
      month = 1;
      day = 1;
      hour = minute = second = 0;
      break;
    case 'quarter':
      month = Math.floor((month - 1) / 3) * 3 + 1;
      day = 1;
      hour = minute = second = 0;
      break;
    case 'month':
      day = 1;
      hour = minute = second = 0;
      break;
    case 'week': {
      const date = utcDate(year, month, day);
      const sinceMonday = (date.getUTCDay() + 6) % 7;
      const monday = new Date(date.getTime() - sinceMonday * DAY_MS);

      year = monday.getUTCFullYear();
      month = monday.getUTCMonth() + 1;
      day = monday.getUTCDate();
      hour = minute = second = 0;
      break;
    }

    case 'day':
      hour = minute = second = 0;
      break;
    case 'hour':
      minute = second = 0;
      break;
    case 'minute':
      second = 0;
      break;
    case 'second':
      break;
  }

  const date = formatDate(year, month, day);

  if (kind === 'date') {
    return date;
  }

  const time = `${date}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}`;

  return kind === 'timestamptz' ? `${time}Z` : time;
}

/** Compares two canonical date-time strings of one type; a missing fraction equals `.000000`. */
export function compareDateTime(left: string, right: string): number {
  if (left === right) {
    return 0;
  }

  if (left.length === right.length) {
    return left < right ? -1 : 1;
  }

  const a = normalizeFraction(left);
  const b = normalizeFraction(right);

  if (a === b) {
    return 0;
  }

  return a < b ? -1 : 1;
}

/**
 * Drops the zone letter, trailing zeros of the fraction and a bare point, so
 * that strings of one type but with different fraction lengths compare as
 * their instants do.
 */
export function normalizeFraction(text: string): string {
  const bare = text.endsWith('Z') ? text.slice(0, -1) : text;
  const point = bare.indexOf('.', 10);

  if (point < 0) {
    return bare;
  }

  const fraction = bare.slice(point + 1).replace(/0+$/, '');

  return fraction === '' ? bare.slice(0, point) : `${bare.slice(0, point)}.${fraction}`;
}
