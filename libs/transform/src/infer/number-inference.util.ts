import { type CastOptions, type ColumnType } from '../types';
import { isSpaceLike, type NumberFormat, numberFormatFromOptions, scanDecimal } from '../values/number-format.util';

/** Significant digits a double keeps for every decimal; a value that needs more is read as numeric. */
export const FLOAT_SIGNIFICANT_DIGITS = 15;

const MAX_INT64_DIGITS = '9223372036854775807';
const MIN_INT64_DIGITS = '9223372036854775808';

/** The ways a column may write numbers, in the order preferred when several read every value. */
const READINGS: readonly CastOptions[] = [
  {},
  { thousandsSeparator: ',' },
  { decimalSeparator: ',' },
  { decimalSeparator: ',', thousandsSeparator: '.' },
  { decimalSeparator: ',', thousandsSeparator: ' ' },
  { thousandsSeparator: ' ' },
  { thousandsSeparator: "'" },
];

/** One way of reading numbers, with the type it gives a column's values. */
export interface NumberReading {
  type: Extract<ColumnType, 'integer' | 'float' | 'numeric'>;
  castOptions: CastOptions;
  /**
   * The decimal separator this reading commits the whole file to. It is null
   * unless the values show it through a fraction or a thousands separator.
   */
  decimalEvidence: '.' | ',' | null;
}

interface ReadingState {
  options: CastOptions;
  format: NumberFormat;
  alive: boolean;
  hasFraction: boolean;
  hasExponent: boolean;
  beyondInt64: boolean;
  maxSignificantDigits: number;
  usesDecimal: boolean;
  usesThousands: boolean;
}

function significantDigits(integerDigits: string, fractionDigits: string): number {
  const digits = integerDigits + fractionDigits;
  let start = 0;
  let end = digits.length;

  while (start < end && digits.charCodeAt(start) === 48) {
    start++;
  }

  while (end > start && digits.charCodeAt(end - 1) === 48) {
    end--;
  }

  return end - start;
}

function beyondInt64(integerDigits: string, negative: boolean): boolean {
  const digits = integerDigits.replace(/^0+(?=.)/, '');

  if (digits.length !== 19) {
    return digits.length > 19;
  }

  return digits > (negative ? MIN_INT64_DIGITS : MAX_INT64_DIGITS);
}

function includesCode(text: string, code: number): boolean {
  for (let index = 0; index < text.length; index++) {
    const found = text.charCodeAt(index);

    if (found === code || (isSpaceLike(code) && isSpaceLike(found))) {
      return true;
    }
  }

  return false;
}

function readValue(state: ReadingState, text: string): void {
  const parts = scanDecimal(text, state.format, true);

  // A leading zero (`00501`, `007.5`) marks a code, which stays text.
  if (typeof parts === 'string' || (parts.integerDigits.length > 1 && parts.integerDigits.charCodeAt(0) === 48)) {
    state.alive = false;

    return;
  }

  if (includesCode(text, state.format.decimal)) {
    state.hasFraction = true;
  }

  if (parts.hasExponent) {
    state.hasExponent = true;
  } else if (!state.beyondInt64 && beyondInt64(parts.integerDigits, parts.negative)) {
    state.beyondInt64 = true;
  }

  const digits = significantDigits(parts.integerDigits, parts.fractionDigits);

  if (digits > state.maxSignificantDigits) {
    state.maxSignificantDigits = digits;
  }

  if (!state.usesDecimal && state.format.decimal !== 46 && includesCode(text, state.format.decimal)) {
    state.usesDecimal = true;
  }

  if (!state.usesThousands && state.format.thousands >= 0 && includesCode(text, state.format.thousands)) {
    state.usesThousands = true;
  }
}

function typeOf(state: ReadingState): NumberReading['type'] {
  if (!state.hasFraction && !state.hasExponent) {
    return state.beyondInt64 ? 'numeric' : 'integer';
  }

  return state.maxSignificantDigits > FLOAT_SIGNIFICANT_DIGITS && !state.hasExponent ? 'numeric' : 'float';
}

/**
 * Returns every way of reading numbers under which all the values are
 * numbers, one per distinct meaning, in order of preference: the plain
 * reading (`.` decimals, no thousands separator) first when it fits. An
 * empty list means the column is not numeric.
 */
export function inferNumberReadings(values: readonly string[]): NumberReading[] {
  const states: ReadingState[] = READINGS.map((options) => ({
    options,
    format: numberFormatFromOptions(options),
    alive: true,
    hasFraction: false,
    hasExponent: false,
    beyondInt64: false,
    maxSignificantDigits: 0,
    usesDecimal: false,
    usesThousands: false,
  }));

  for (const text of values) {
    let anyAlive = false;

    for (const state of states) {
      if (state.alive) {
        readValue(state, text);
        anyAlive ||= state.alive;
      }
    }

    if (!anyAlive) {
      return [];
    }
  }

  const readings: NumberReading[] = [];
  const seen = new Set<string>();

  for (const state of states) {
    if (!state.alive) {
      continue;
    }

    // Separators that no value uses change nothing, so readings that differ only there are one reading.
    const castOptions = effectiveOptions(state);
    const key = JSON.stringify(castOptions);

    if (!seen.has(key)) {
      seen.add(key);

      let decimalEvidence: NumberReading['decimalEvidence'] = null;

      if (state.hasFraction || state.usesThousands) {
        decimalEvidence = state.options.decimalSeparator === ',' ? ',' : '.';
      }

      readings.push({ type: typeOf(state), castOptions, decimalEvidence });
    }
  }

  return readings;
}

/** Returns a reading's options without the separators that no value uses. A `.` thousands separator keeps its `,` decimal. */
function effectiveOptions(state: ReadingState): CastOptions {
  const options: CastOptions = {};
  const decimal = state.options.decimalSeparator;
  const thousands = state.options.thousandsSeparator;

  if (decimal !== undefined && (state.usesDecimal || (state.usesThousands && thousands === '.'))) {
    options.decimalSeparator = decimal;
  }

  if (thousands !== undefined && state.usesThousands) {
    options.thousandsSeparator = thousands;
  }

  return options;
}
