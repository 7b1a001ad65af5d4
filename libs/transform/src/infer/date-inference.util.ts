import { type CastOptions, type Caster, type ColumnType } from '../types';
import { checkDate, checkTime, MONTH_NAMES } from '../values/calendar.util';
import { compileDateFormat } from '../values/date-format.util';
import { createDateTimeFields, resetDateTimeFields } from '../values/date-time-fields';
import { createCaster } from '../values/index';
import { parseIsoDateTime } from '../values/iso-date-time.util';

export type DateOrder = 'day-first' | 'month-first';

export interface DateReading {
  type: Extract<ColumnType, 'date' | 'timestamp' | 'timestamptz'>;
  castOptions: CastOptions;
  /** Day-first or month-first for numeric dates like 01/02/2021; null when the layout fixes the order. */
  order: DateOrder | null;
}

/** The date and time layouts that profiling tries, on top of ISO 8601. */
interface Candidate {
  pattern: string;
  order: DateOrder | null;
  type: DateReading['type'];
  caster: Caster;
}

const NAMED_DATE_PARTS = [
  'MMM dd yyyy',
  'MMM d yyyy',
  'MMM dd, yyyy',
  'MMM d, yyyy',
  'dd MMM yyyy',
  'd MMM yyyy',
  'dd-MMM-yyyy',
  'd-MMM-yyyy',
  'dd-MMM-yy',
  'd-MMM-yy',
  'dd MMM yy',
  'yyyy-MMM-dd',
  'EEE MMM dd yyyy',
  'EEE, dd MMM yyyy',
  'EEE, d MMM yyyy',
  'EEE, MMM d, yyyy',
];

const TIME_PARTS = [
  ' HH:mm',
  ' HH:mm:ss',
  ' HH:mm:ss.SSS',
  ' HH:mm:ss.SSSSSS',
  ' H:mm',
  ' H:mm:ss',
  ' hh:mm a',
  ' h:mm a',
  ' hh:mm:ss a',
  ' h:mm:ss a',
];

const OFFSET_PARTS = ['', 'XXX', ' XXX', 'xx', ' xx'];

function numericDateParts(): { pattern: string; order: DateOrder | null }[] {
  const parts: { pattern: string; order: DateOrder | null }[] = [];

  for (const separator of ['/', '-', '.']) {
    const join = (...fields: string[]): string => fields.join(separator);

    parts.push({ pattern: join('yyyy', 'MM', 'dd'), order: null }, { pattern: join('yyyy', 'M', 'd'), order: null });

    for (const year of ['yyyy', 'yy']) {
      parts.push({ pattern: join('dd', 'MM', year), order: 'day-first' });

      // Short dotted forms like 1.2.21 are version numbers far more often than dates.
      if (separator !== '.' || year === 'yyyy') {
        parts.push({ pattern: join('d', 'M', year), order: 'day-first' });
      }

      parts.push({ pattern: join('MM', 'dd', year), order: 'month-first' });

      if (separator !== '.' || year === 'yyyy') {
        parts.push({ pattern: join('M', 'd', year), order: 'month-first' });
      }
    }
  }

  return parts;
}

let candidates: Candidate[] | null = null;

/** Builds the candidate layouts once per process; each is a compiled caster. */
function allCandidates(): Candidate[] {
  if (candidates !== null) {
    return candidates;
  }

  const dateParts = [...numericDateParts(), ...NAMED_DATE_PARTS.map((pattern) => ({ pattern, order: null }))];
  const built: Candidate[] = [];

  for (const datePart of dateParts) {
    const patterns = [datePart.pattern];

    for (const timePart of TIME_PARTS) {
      for (const offsetPart of OFFSET_PARTS) {
        patterns.push(`${datePart.pattern}${timePart}${offsetPart}`);
      }
    }

    for (const pattern of patterns) {
      const compiled = compileDateFormat(pattern);
      let type: DateReading['type'] = 'date';

      if (compiled.hasOffset) {
        type = 'timestamptz';
      } else if (compiled.hasTime) {
        type = 'timestamp';
      }

      // The timestamp caster reads every layout, offsets included, and checks the calendar.
      built.push({ pattern, order: datePart.order, type, caster: createCaster('timestamp', { format: pattern }) });
    }
  }

  candidates = built;

  return built;
}

/**
 * Classifies the values as ISO 8601: `date` when none has a time,
 * `timestamp` when some do and none has an offset, `timestamptz` when every
 * one has an offset. Returns null when a value is not valid ISO 8601, and
 * `mixed` when only some values carry an offset.
 */
function inferIso(values: readonly string[]): DateReading['type'] | 'mixed' | null {
  const fields = createDateTimeFields();
  let withTime = 0;
  let withOffset = 0;

  for (const text of values) {
    resetDateTimeFields(fields);

    if (
      parseIsoDateTime(text, fields) !== null ||
      checkDate(fields.year, fields.month, fields.day) !== null ||
      (fields.hasTime && checkTime(fields.hour, fields.minute, fields.second) !== null)
    ) {
      return null;
    }

    withTime += fields.hasTime ? 1 : 0;
    withOffset += fields.offset === null ? 0 : 1;
  }

  if (withOffset === values.length) {
    return 'timestamptz';
  }

  if (withOffset > 0) {
    return 'mixed';
  }

  return withTime > 0 ? 'timestamp' : 'date';
}

const FULL_MONTH_NAMES = new Set(MONTH_NAMES.filter((name) => name.length > 3).map((name) => name.toLowerCase()));

/** Writes MMMM in place of MMM when the values spell months out (`January`); both read either spelling. */
function refineMonthToken(pattern: string, values: readonly string[]): string {
  if (!pattern.includes('MMM')) {
    return pattern;
  }

  const spellsOut = values.some((text) => (text.match(/[A-Za-z]+/g) ?? []).some((word) => FULL_MONTH_NAMES.has(word.toLowerCase())));

  return spellsOut ? pattern.replace('MMM', 'MMMM') : pattern;
}

/**
 * Returns the date readings that fit every value: ISO 8601 (no format)
 * when every value is ISO, else each layout family that reads all values,
 * best first. Both day-first and month-first come back when the values do
 * not rule either out. Returns an empty list when no reading fits.
 */
export function inferDateReadings(values: readonly string[]): DateReading[] {
  if (values.length === 0 || !/[0-9]/.test(values[0]) || values[0].length > 64) {
    return [];
  }

  const iso = inferIso(values);

  if (iso === 'mixed') {
    return [
      { type: 'timestamptz', castOptions: {}, order: null },
      { type: 'timestamp', castOptions: {}, order: null },
    ];
  }

  if (iso !== null) {
    return [{ type: iso, castOptions: {}, order: null }];
  }

  let survivors = allCandidates().filter((candidate) => candidate.caster(values[0]).ok);

  for (let index = 1; index < values.length && survivors.length > 0; index++) {
    const text = values[index];

    survivors = survivors.filter((candidate) => candidate.caster(text).ok);
  }

  // One reading per day/month order: the first survivor of each is the strictest layout.
  const readings: DateReading[] = [];
  const seenOrders = new Set<DateOrder | null>();

  for (const candidate of survivors) {
    if (!seenOrders.has(candidate.order)) {
      seenOrders.add(candidate.order);
      readings.push({
        type: candidate.type,
        castOptions: { format: refineMonthToken(candidate.pattern, values) },
        order: candidate.order,
      });
    }
  }

  return readings;
}
