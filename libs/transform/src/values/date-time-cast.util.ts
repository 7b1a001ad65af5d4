import { type CastOptions, type Caster, type CastResult } from '../types';
import {
  checkDate,
  checkTime,
  civilFromDays,
  daysFromCivil,
  formatDate,
  formatDateTime,
  formatFraction,
  formatTimeOfDay,
  MAX_YEAR,
  MIN_YEAR,
  SECONDS_PER_DAY,
  twoDigits,
} from './calendar.util';
import { castFail, castOk, describeKind, NULL_RESULT, trimToContent } from './cast-result.util';
import { compileDateFormat } from './date-format.util';
import {
  copyDateTimeFields,
  createDateTimeFields,
  type DateTimeFields,
  type DateTimeParser,
  resetDateTimeFields,
  sameDateTimeFields,
} from './date-time-fields';
import { type EpochUnit, readEpochNumber, readEpochText } from './epoch.util';
import { parseIsoDateTime } from './iso-date-time.util';
import { zoneOffsets, type ZoneOffsets } from './time-zone.util';

export type DateTimeType = 'date' | 'timestamp' | 'timestamptz';

/** First and last UTC second (since 1970) of the years 0001 to 9999. */
const MIN_SECONDS = daysFromCivil(MIN_YEAR, 1, 1) * SECONDS_PER_DAY;
const MAX_SECONDS = daysFromCivil(MAX_YEAR + 1, 1, 1) * SECONDS_PER_DAY - 1;

const OUT_OF_RANGE = 'is out of range (years 1 to 9999)';

/**
 * Builds the caster of a date, timestamp or timestamptz column. Throws for
 * an unknown zone or an unsupported format, once, here.
 */
export function createDateTimeCaster(type: DateTimeType, options: CastOptions): Caster {
  const zone = options.timezone === undefined ? null : zoneOffsets(options.timezone);
  const zoneName = options.timezone ?? 'UTC';
  const format = options.format;

  if (format === 'epoch_s' || format === 'epoch_ms') {
    return createEpochCaster(type, format, zone);
  }

  const parse: DateTimeParser = format === undefined ? parseIsoDateTime : compileDateFormat(format).parse;
  const fields = createDateTimeFields();
  const finish = finisher(type, zone, zoneName);
  // The fields of the last value parsed and its result. Files sorted by time
  // repeat a value on consecutive rows (the flights file in runs of 14 rows
  // on average), and the result depends only on the fields, so a repeat is
  // neither checked nor written again. Callers get the same result object
  // for it, which they only read. Comparing the fields costs less than
  // comparing the texts, which V8 does in a runtime call.
  const lastFields = createDateTimeFields();
  let lastResult: CastResult | null = null;

  return (value) => {
    if (value === null || value === undefined) {
      return NULL_RESULT;
    }

    if (typeof value !== 'string') {
      return castFail(`${describeKind(value)} is not a ${type}; set format epoch_s or epoch_ms to read Unix time`);
    }

    const text = trimToContent(value);

    if (text === null) {
      return NULL_RESULT;
    }

    resetDateTimeFields(fields);

    const problem = parse(text, fields);

    if (problem !== null) {
      return castFail(problem);
    }

    if (lastResult !== null && sameDateTimeFields(fields, lastFields)) {
      return lastResult;
    }

    lastResult = finish(fields);
    copyDateTimeFields(fields, lastFields);

    return lastResult;
  };
}

type Finisher = (fields: DateTimeFields) => ReturnType<Caster>;

function finisher(type: DateTimeType, zone: ZoneOffsets | null, zoneName: string): Finisher {
  const civil = { year: 0, month: 0, day: 0 };

  switch (type) {
    case 'date':
      // A date keeps the calendar date as written; a time or offset after it is ignored, as in PostgreSQL.
      return (fields) => {
        const problem = checkDate(fields.year, fields.month, fields.day) ?? checkFieldTime(fields);

        return problem === null ? castOk(formatDate(fields.year, fields.month, fields.day)) : castFail(problem);
      };

    case 'timestamp':
      // A timestamp keeps the wall-clock time as written: neither an offset nor the zone shifts it.
      return (fields) => {
        const problem = checkDate(fields.year, fields.month, fields.day) ?? checkFieldTime(fields);

        if (problem !== null) {
          return castFail(problem);
        }

        if (fields.carrySecond) {
          const local = localSeconds(fields) + 1;

          return local > MAX_SECONDS ? castFail(`timestamp ${OUT_OF_RANGE}`) : castOk(formatInstant(local, 0, '', civil));
        }

        const text = formatDateTime(fields.year, fields.month, fields.day, fields.hour, fields.minute, fields.second);

        return castOk(fields.micro === 0 ? text : text + formatFraction(fields.micro));
      };

    case 'timestamptz':
      return (fields) => {
        const problem = checkDate(fields.year, fields.month, fields.day) ?? checkFieldTime(fields);

        if (problem !== null) {
          return castFail(problem);
        }

        const secondOfDay = fields.hour * 3600 + fields.minute * 60 + fields.second;
        let shift: number;

        if (fields.offset !== null) {
          shift = -fields.offset;
        } else if (zone === null) {
          shift = 0;
        } else {
          const local = daysFromCivil(fields.year, fields.month, fields.day) * SECONDS_PER_DAY + secondOfDay;
          const utc = zone.localToUtc(local);

          if (utc === null) {
            return castFail(`${describeLocal(fields)} does not exist in ${zoneName} (daylight-saving gap)`);
          }

          shift = utc - local;
        }

        const utcSecondOfDay = secondOfDay + shift + (fields.carrySecond ? 1 : 0);

        // Most values stay on their calendar day in UTC, so the date text is written without day arithmetic.
        if (utcSecondOfDay >= 0 && utcSecondOfDay < SECONDS_PER_DAY) {
          return castOk(
            `${formatDate(fields.year, fields.month, fields.day)}T${formatTimeOfDay(utcSecondOfDay, fields.micro)}Z`,
          );
        }

        const utc = daysFromCivil(fields.year, fields.month, fields.day) * SECONDS_PER_DAY + utcSecondOfDay;

        if (utc < MIN_SECONDS || utc > MAX_SECONDS) {
          return castFail(`timestamptz ${OUT_OF_RANGE} in UTC`);
        }

        return castOk(formatInstant(utc, fields.micro, 'Z', civil));
      };

    default: {
      const unknownType: never = type;

      throw new Error(`Unsupported date-time type ${String(unknownType)}`);
    }
  }
}

function checkFieldTime(fields: DateTimeFields): string | null {
  return fields.hasTime ? checkTime(fields.hour, fields.minute, fields.second) : null;
}

function localSeconds(fields: DateTimeFields): number {
  return (
    daysFromCivil(fields.year, fields.month, fields.day) * SECONDS_PER_DAY +
    fields.hour * 3600 +
    fields.minute * 60 +
    fields.second
  );
}

function describeLocal(fields: DateTimeFields): string {
  const seconds = fields.second === 0 && fields.micro === 0 ? '' : `:${twoDigits(fields.second)}${formatFraction(fields.micro)}`;

  return `${formatDate(fields.year, fields.month, fields.day)} ${twoDigits(fields.hour)}:${twoDigits(fields.minute)}${seconds}`;
}

/** Writes seconds since 1970 (plus microseconds) as `YYYY-MM-DDTHH:mm:ss[.ffffff]` and a suffix. */
function formatInstant(
  seconds: number,
  micro: number,
  suffix: string,
  civil: { year: number; month: number; day: number },
): string {
  const days = Math.floor(seconds / SECONDS_PER_DAY);

  civilFromDays(days, civil);

  return `${formatDate(civil.year, civil.month, civil.day)}T${formatTimeOfDay(seconds - days * SECONDS_PER_DAY, micro)}${suffix}`;
}

/**
 * Unix time is an instant: timestamptz writes it in UTC, while date and
 * timestamp write it as the wall clock in `timezone` (UTC when absent).
 */
function createEpochCaster(type: DateTimeType, unit: EpochUnit, zone: ZoneOffsets | null): Caster {
  const civil = { year: 0, month: 0, day: 0 };
  const instant = { seconds: 0, micro: 0 };

  return (value) => {
    if (value === null || value === undefined) {
      return NULL_RESULT;
    }

    let problem: string | null;

    if (typeof value === 'string') {
      const text = trimToContent(value);

      if (text === null) {
        return NULL_RESULT;
      }

      problem = readEpochText(text, unit, instant);
    } else if (typeof value === 'number' || typeof value === 'bigint') {
      problem = readEpochNumber(value, unit, instant);
    } else {
      problem = `${describeKind(value)} is not a Unix time`;
    }

    if (problem !== null) {
      return castFail(problem);
    }

    if (instant.seconds < MIN_SECONDS || instant.seconds > MAX_SECONDS) {
      return castFail(`Unix time ${OUT_OF_RANGE}; check that the unit is ${unit === 'epoch_s' ? 'seconds' : 'milliseconds'}`);
    }

    if (type === 'timestamptz') {
      return castOk(formatInstant(instant.seconds, instant.micro, 'Z', civil));
    }

    const local = zone === null ? instant.seconds : instant.seconds + zone.offsetAt(instant.seconds);

    if (type === 'timestamp') {
      return castOk(formatInstant(local, instant.micro, '', civil));
    }

    civilFromDays(Math.floor(local / SECONDS_PER_DAY), civil);

    return castOk(formatDate(civil.year, civil.month, civil.day));
  };
}
