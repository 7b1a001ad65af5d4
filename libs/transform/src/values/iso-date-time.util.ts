import { type DateTimeFields, readFraction } from './date-time-fields';

export const ISO_MISMATCH = 'not an ISO 8601 date or date-time (YYYY-MM-DD, then optionally THH:mm:ss.ffffff and Z or ±hh:mm)';

function digitAt(text: string, index: number): number {
  const digit = text.charCodeAt(index) - 48;

  return digit >= 0 && digit <= 9 ? digit : -1;
}

/** Reads two digits at `index` as a number, or -1 when they are not both digits. */
function twoDigitsAt(text: string, index: number): number {
  const tens = digitAt(text, index);
  const units = digitAt(text, index + 1);

  return tens < 0 || units < 0 ? -1 : tens * 10 + units;
}

/**
 * Parses ISO 8601 in its extended form. After `YYYY-MM-DD` may come `T` or
 * one space and `HH:mm`, then `:ss`, a fraction of any length (rounded to
 * microseconds), and an offset `Z`, `±hh`, `±hhmm` or `±hh:mm`, with one
 * optional space before it. The caller checks the ranges.
 */
export function parseIsoDateTime(text: string, fields: DateTimeFields): string | null {
  const length = text.length;

  if (length < 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) {
    return ISO_MISMATCH;
  }

  const century = twoDigitsAt(text, 0);
  const yearInCentury = twoDigitsAt(text, 2);
  const month = twoDigitsAt(text, 5);
  const day = twoDigitsAt(text, 8);

  if (century < 0 || yearInCentury < 0 || month < 0 || day < 0) {
    return ISO_MISMATCH;
  }

  fields.year = century * 100 + yearInCentury;
  fields.month = month;
  fields.day = day;

  if (length === 10) {
    return null;
  }

  const separator = text.charCodeAt(10);

  // 'T', 't' or a space between the date and the time.
  if ((separator !== 84 && separator !== 116 && separator !== 32) || length < 16 || text.charCodeAt(13) !== 58) {
    return ISO_MISMATCH;
  }

  const hour = twoDigitsAt(text, 11);
  const minute = twoDigitsAt(text, 14);

  if (hour < 0 || minute < 0) {
    return ISO_MISMATCH;
  }

  fields.hour = hour;
  fields.minute = minute;
  fields.hasTime = true;

  let index = 16;

  if (index < length && text.charCodeAt(index) === 58) {
    const second = twoDigitsAt(text, index + 1);

    if (second < 0) {
      return ISO_MISMATCH;
    }

    fields.second = second;
    index += 3;

    if (index < length && text.charCodeAt(index) === 46) {
      let end = index + 1;

      while (end < length && digitAt(text, end) >= 0) {
        end++;
      }

      if (end === index + 1 || !readFraction(text, index + 1, end - index - 1, fields)) {
        return ISO_MISMATCH;
      }

      index = end;
    }
  }

  if (index === length) {
    return null;
  }

  if (text.charCodeAt(index) === 32 && index + 1 < length) {
    index++;
  }

  return parseIsoOffset(text, index, fields) ? null : ISO_MISMATCH;
}

/** Reads `Z`, `±hh`, `±hhmm` or `±hh:mm` that must run to the end of the text. */
function parseIsoOffset(text: string, index: number, fields: DateTimeFields): boolean {
  const length = text.length;
  const sign = text.charCodeAt(index);

  if (sign === 90 || sign === 122) {
    fields.offset = 0;

    return index + 1 === length;
  }

  if (sign !== 43 && sign !== 45) {
    return false;
  }

  const hours = twoDigitsAt(text, index + 1);
  let minutes = 0;
  let end = index + 3;

  if (hours < 0) {
    return false;
  }

  if (end < length) {
    if (text.charCodeAt(end) === 58) {
      end++;
    }

    minutes = twoDigitsAt(text, end);
    end += 2;
  }

  if (minutes < 0 || end !== length || hours > 15 || minutes > 59) {
    return false;
  }

  const offset = hours * 3600 + minutes * 60;

  fields.offset = sign === 45 ? 0 - offset : offset;

  return true;
}
