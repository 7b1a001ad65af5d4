import { type CastOptions, type ColumnType, type InferredColumn, type RawValue } from '../types';
import { DEFAULT_FALSE_VALUES, DEFAULT_TRUE_VALUES } from '../values/boolean-cast.util';
import { normalizeJsonText, serializeJsonValue } from '../values/json-text.util';
import { type DateOrder, type DateReading, inferDateReadings } from './date-inference.util';
import { inferNumberReadings, type NumberReading } from './number-inference.util';

/** Rows keyed by header, or a header and positional rows. */
export type InferSample =
  | readonly Readonly<Record<string, RawValue>>[]
  | { columns: readonly string[]; rows: readonly (readonly RawValue[])[] };

export interface InferOptions {
  /**
   * The date order chosen when day-first and month-first both fit every
   * value of a column and no other column of the sample settles it. The
   * column is still flagged ambiguous. Day-first by default.
   */
  preferredDateOrder?: DateOrder;
  /** More spellings of null (`NA`, `-`), compared after trimming; blank cells are always null. */
  nullValues?: readonly string[];
}

type Alternative = InferredColumn['alternatives'][number];

/** The values of one column, gathered in one pass over the sample. */
interface ColumnValues {
  name: string;
  nullCount: number;
  /** Strings that are empty or only white space: null for every type but text. */
  blankCount: number;
  /** Distinct values that are not null or blank, in first-seen order. */
  distinct: Set<string>;
  /** True when some value is an object or an array. */
  hasStructured: boolean;
}

/** A column's inference before the sample-wide pass settles its ambiguities. */
interface Verdict {
  values: ColumnValues;
  type: ColumnType;
  castOptions: CastOptions;
  alternatives: Alternative[];
  ambiguous: boolean;
  numberReadings: NumberReading[];
  dateReadings: DateReading[];
}

const SAMPLE_SIZE = 5;
const BOOLEAN_SPELLINGS = new Set([...DEFAULT_TRUE_VALUES, ...DEFAULT_FALSE_VALUES]);
const EPOCH_SECONDS_RANGE = [946_684_800, 4_102_444_800] as const; // 2000-01-01 to 2100-01-01
const EPOCH_MILLISECONDS_RANGE = [946_684_800_000, 4_102_444_800_000] as const;

/**
 * Infers each column's type from a sample: the narrowest of boolean,
 * integer, float or numeric, date, timestamp, timestamptz, json and text
 * that reads every non-null value, with the cast options that read it. The
 * rules, and how ambiguity is reported, are in VALUES.md.
 */
export function inferSchema(sample: InferSample, options: InferOptions = {}): InferredColumn[] {
  const nullValues = new Set((options.nullValues ?? []).map((value) => value.trim()));
  const columns = gatherColumns(sample, nullValues);
  const verdicts = columns.map(inferColumn);

  settleFromSample(verdicts, options.preferredDateOrder ?? 'day-first');

  return verdicts.map((verdict) => ({
    name: verdict.values.name,
    inferredType: verdict.type,
    castOptions: verdict.castOptions,
    nullCount: verdict.values.nullCount + (verdict.type === 'text' ? 0 : verdict.values.blankCount),
    distinctEstimate: verdict.values.distinct.size,
    sample: [...take(verdict.values.distinct, SAMPLE_SIZE)],
    ambiguous: verdict.ambiguous,
    alternatives: verdict.alternatives,
  }));
}

function* take(values: Iterable<string>, count: number): Generator<string> {
  let yielded = 0;

  for (const value of values) {
    if (yielded === count) {
      return;
    }

    yielded++;
    yield value;
  }
}

function gatherColumns(sample: InferSample, nullValues: ReadonlySet<string>): ColumnValues[] {
  const newColumn = (name: string): ColumnValues => ({
    name,
    nullCount: 0,
    blankCount: 0,
    distinct: new Set(),
    hasStructured: false,
  });

  if (!Array.isArray(sample)) {
    const table = sample as Exclude<InferSample, readonly unknown[]>;
    const columns = table.columns.map(newColumn);

    for (const row of table.rows) {
      columns.forEach((column, index) => addValue(column, index < row.length ? row[index] : null, nullValues));
    }

    return columns;
  }

  const byName = new Map<string, ColumnValues>();
  const records = sample as readonly Readonly<Record<string, RawValue>>[];

  for (const record of records) {
    for (const name of Object.keys(record)) {
      if (!byName.has(name)) {
        byName.set(name, newColumn(name));
      }
    }
  }

  for (const record of records) {
    for (const [name, column] of byName) {
      addValue(column, Object.prototype.hasOwnProperty.call(record, name) ? record[name] : null, nullValues);
    }
  }

  return [...byName.values()];
}

function addValue(column: ColumnValues, value: RawValue | undefined, nullValues: ReadonlySet<string>): void {
  switch (typeof value) {
    case 'string': {
      const trimmed = value.trim();

      if (trimmed === '') {
        column.blankCount++;
      } else if (nullValues.has(trimmed)) {
        column.nullCount++;
      } else {
        column.distinct.add(value);
      }

      return;
    }

    case 'number':
    case 'bigint':
      column.distinct.add(String(value));

      return;
    case 'boolean':
      column.distinct.add(value ? 'true' : 'false');

      return;
    case 'object':
      if (value !== null) {
        const written = serializeJsonValue(value);

        column.hasStructured = true;
        column.distinct.add('json' in written ? written.json : String(value));

        return;
      }

      column.nullCount++;

      return;
    default:
      column.nullCount++;
  }
}

function verdict(values: ColumnValues, type: ColumnType, castOptions: CastOptions = {}): Verdict {
  return { values, type, castOptions, alternatives: [], ambiguous: false, numberReadings: [], dateReadings: [] };
}

function inferColumn(values: ColumnValues): Verdict {
  if (values.distinct.size === 0) {
    return verdict(values, 'text');
  }

  if (values.hasStructured) {
    return verdict(values, allJson(values.distinct) ? 'json' : 'text');
  }

  const texts = [...new Set([...values.distinct].map((value) => value.trim()))];
  const isBooleanSpelling = texts.every((text) => BOOLEAN_SPELLINGS.has(text.toLowerCase()));
  const onlyZeroAndOne = texts.every((text) => text === '0' || text === '1');

  if (isBooleanSpelling && !onlyZeroAndOne) {
    return verdict(values, 'boolean');
  }

  const numberReadings = inferNumberReadings(texts);

  if (numberReadings.length > 0) {
    return numberVerdict(values, texts, numberReadings, onlyZeroAndOne);
  }

  const dateReadings = inferDateReadings(texts);

  if (dateReadings.length > 0) {
    return dateVerdict(values, dateReadings);
  }

  const looksLikeJson = texts.every((text) => text.startsWith('{') || text.startsWith('['));

  return verdict(values, looksLikeJson && allJson(texts) ? 'json' : 'text');
}

function allJson(values: Iterable<string>): boolean {
  for (const value of values) {
    if (!('json' in normalizeJsonText(value))) {
      return false;
    }
  }

  return true;
}

function numberVerdict(
  values: ColumnValues,
  texts: readonly string[],
  readings: NumberReading[],
  onlyZeroAndOne: boolean,
): Verdict {
  const [main, ...others] = readings;
  const result = verdict(values, main.type, main.castOptions);

  result.numberReadings = readings;
  result.ambiguous = others.length > 0;
  result.alternatives = others.map((reading) => ({ type: reading.type, castOptions: reading.castOptions }));

  if (onlyZeroAndOne) {
    result.alternatives.push({ type: 'boolean', castOptions: {} });
  }

  if (main.type === 'integer' && Object.keys(main.castOptions).length === 0) {
    result.alternatives.push(...epochAlternatives(texts));
  }

  return result;
}

/** Suggests Unix time when every integer falls between 2000 and 2100 in seconds or in milliseconds. */
function epochAlternatives(texts: readonly string[]): Alternative[] {
  const numbers = texts.map(Number);
  const within = (range: readonly [number, number]): boolean =>
    numbers.every((value) => value >= range[0] && value < range[1]);

  if (within(EPOCH_SECONDS_RANGE)) {
    return [{ type: 'timestamptz', castOptions: { format: 'epoch_s' } }];
  }

  return within(EPOCH_MILLISECONDS_RANGE) ? [{ type: 'timestamptz', castOptions: { format: 'epoch_ms' } }] : [];
}

function dateVerdict(values: ColumnValues, readings: DateReading[]): Verdict {
  const [main, ...others] = readings;
  const result = verdict(values, main.type, main.castOptions);

  result.dateReadings = readings;
  result.ambiguous = others.length > 0;
  result.alternatives = others.map((reading) => ({ type: reading.type, castOptions: reading.castOptions }));

  return result;
}

/**
 * Settles ambiguous columns with what the rest of the sample shows: one
 * file writes decimals one way and dates in one order, so a column whose
 * own values allow both readings follows the columns that rule one out.
 * Date columns that nothing settles take `preferredDateOrder` and stay
 * flagged ambiguous.
 */
function settleFromSample(verdicts: Verdict[], preferredDateOrder: DateOrder): void {
  const decimalEvidence = new Set<string>();
  const orderEvidence = new Set<DateOrder>();

  for (const item of verdicts) {
    if (item.ambiguous) {
      continue;
    }

    const decimal = item.numberReadings[0]?.decimalEvidence;
    const order = item.dateReadings[0]?.order;

    if (decimal !== undefined && decimal !== null) {
      decimalEvidence.add(decimal);
    }

    if (order !== undefined && order !== null) {
      orderEvidence.add(order);
    }
  }

  for (const item of verdicts) {
    if (!item.ambiguous) {
      continue;
    }

    if (item.numberReadings.length > 1 && decimalEvidence.size === 1) {
      const [decimal] = decimalEvidence;
      const index = item.numberReadings.findIndex((reading) => (reading.castOptions.decimalSeparator ?? '.') === decimal);

      if (index >= 0) {
        chooseReading(item, item.numberReadings, index);
        item.ambiguous = false;
      }
    }

    // Only day-first against month-first is settled here; ISO values with and without offsets stay flagged.
    if (item.dateReadings.some((reading) => reading.order !== null)) {
      const settled = orderEvidence.size === 1 ? [...orderEvidence][0] : null;
      const index = item.dateReadings.findIndex((reading) => reading.order === (settled ?? preferredDateOrder));

      if (index >= 0) {
        chooseReading(item, item.dateReadings, index);
      }

      item.ambiguous = settled === null;
    }
  }
}

/** Makes reading `index` the column's type and lists the others as alternatives. */
function chooseReading(item: Verdict, readings: readonly (NumberReading | DateReading)[], index: number): void {
  const chosen = readings[index];
  const otherAlternatives = item.alternatives.filter(
    (alternative) => !readings.some((reading) => reading.type === alternative.type && reading.castOptions === alternative.castOptions),
  );

  item.type = chosen.type;
  item.castOptions = chosen.castOptions;
  item.alternatives = [
    ...readings.filter((_, position) => position !== index).map((reading) => ({ type: reading.type, castOptions: reading.castOptions })),
    ...otherAlternatives,
  ];
}
