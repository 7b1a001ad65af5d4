/**
 * The fields a date-time parser reads from one value. Parsers fill one
 * reused object per caster and return a failure reason or null, so parsing
 * allocates nothing on success.
 */
export interface DateTimeFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Microseconds, 0 to 999999, already rounded. */
  micro: number;
  /** Seconds east of UTC when the value carries an offset, else null. */
  offset: number | null;
  /** True when the value carries a time of day. */
  hasTime: boolean;
  /** Set when a rounded fraction reached a whole second, which the caller adds. */
  carrySecond: boolean;
}

export function createDateTimeFields(): DateTimeFields {
  return {
    year: 0,
    month: 0,
    day: 0,
    hour: 0,
    minute: 0,
    second: 0,
    micro: 0,
    offset: null,
    hasTime: false,
    carrySecond: false,
  };
}

export function resetDateTimeFields(fields: DateTimeFields): void {
  fields.year = 0;
  fields.month = 0;
  fields.day = 0;
  fields.hour = 0;
  fields.minute = 0;
  fields.second = 0;
  fields.micro = 0;
  fields.offset = null;
  fields.hasTime = false;
  fields.carrySecond = false;
}

export function sameDateTimeFields(a: DateTimeFields, b: DateTimeFields): boolean {
  return (
    a.second === b.second &&
    a.minute === b.minute &&
    a.hour === b.hour &&
    a.day === b.day &&
    a.month === b.month &&
    a.year === b.year &&
    a.micro === b.micro &&
    a.offset === b.offset &&
    a.hasTime === b.hasTime &&
    a.carrySecond === b.carrySecond
  );
}

export function copyDateTimeFields(from: DateTimeFields, to: DateTimeFields): void {
  to.year = from.year;
  to.month = from.month;
  to.day = from.day;
  to.hour = from.hour;
  to.minute = from.minute;
  to.second = from.second;
  to.micro = from.micro;
  to.offset = from.offset;
  to.hasTime = from.hasTime;
  to.carrySecond = from.carrySecond;
}

/** Parses a date-time text into `fields`; returns the failure reason, or null on success. */
export type DateTimeParser = (text: string, fields: DateTimeFields) => string | null;

/**
 * Reads a fraction of a second from `digitCount` digits at `start` and
 * rounds it to microseconds. Returns false when the text there has no
 * such digits.
 */
export function readFraction(text: string, start: number, digitCount: number, fields: DateTimeFields): boolean {
  let micro = 0;
  const used = digitCount < 6 ? digitCount : 6;

  for (let index = 0; index < used; index++) {
    const digit = text.charCodeAt(start + index) - 48;

    if (digit < 0 || digit > 9) {
      return false;
    }

    micro = micro * 10 + digit;
  }

  for (let index = used; index < 6; index++) {
    micro *= 10;
  }

  if (digitCount > 6) {
    // Digits past microseconds round half up, like PostgreSQL rounds them.
    for (let index = 6; index < digitCount; index++) {
      const digit = text.charCodeAt(start + index) - 48;

      if (digit < 0 || digit > 9) {
        return false;
      }
    }

    if (text.charCodeAt(start + 6) >= 53) {
      micro++;
    }

    if (micro === 1_000_000) {
      micro = 0;
      fields.carrySecond = true;
    }
  }

  fields.micro = micro;

  return true;
}
