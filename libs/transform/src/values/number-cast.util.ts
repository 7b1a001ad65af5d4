import { type CastOptions, type Caster, type CastResult } from '../types';
import { castFail, castOk, describeKind, NULL_RESULT, trimToContent } from './cast-result.util';
import { BAD_GROUPING, GROUPING_RULE, type NumberFormat, numberFormatFromOptions, scanDecimal } from './number-format.util';
import { canonicalNumeric, numericFromDouble } from './numeric-text.util';

const MAX_INT64 = 9_223_372_036_854_775_807n;
const MIN_INT64 = -9_223_372_036_854_775_808n;
const MAX_INT64_DIGITS = '9223372036854775807';
const MIN_INT64_DIGITS = '9223372036854775808';

const NOT_AN_INTEGER = 'not an integer';
const HAS_FRACTION = 'not an integer (it has a fraction)';
const INTEGER_OUT_OF_RANGE = 'integer out of range for 64 bits (-9223372036854775808 to 9223372036854775807)';
const UNSAFE_DOUBLE =
  'integer beyond 2^53 given as a JSON number, which may have lost digits; pass it as a string or bigint';
const DOUBLE_OUT_OF_RANGE = 'number out of range for a double';
const NUMERIC_EXPONENT_OUT_OF_RANGE = 'exponent out of range for numeric (at most 1000)';

/** Magnitudes below this get a cached result: 0 to 65535 and their negatives. */
const SMALL_INTEGER_LIMIT = 65_536;
const smallPositive: (CastResult | undefined)[] = new Array<CastResult | undefined>(SMALL_INTEGER_LIMIT);
const smallNegative: (CastResult | undefined)[] = new Array<CastResult | undefined>(SMALL_INTEGER_LIMIT);

/**
 * Returns the successful result of a safe integer. Small values come from a
 * cache filled on first use, because the result and its bigint are two heap
 * objects per value and most integer columns repeat small values. Callers
 * only read results, and bigints are immutable, so sharing them is safe.
 */
function integerResult(value: number): CastResult {
  if (value >= 0 && value < SMALL_INTEGER_LIMIT) {
    return (smallPositive[value] ??= Object.freeze(castOk(BigInt(value))));
  }

  if (value < 0 && value > -SMALL_INTEGER_LIMIT) {
    return (smallNegative[-value] ??= Object.freeze(castOk(BigInt(value))));
  }

  return castOk(BigInt(value));
}

/** Checks that digits without sign or leading zeros fit a signed 64-bit integer. */
function fitsInt64(digits: string, negative: boolean): boolean {
  if (digits.length !== 19) {
    return digits.length < 19;
  }

  return digits <= (negative ? MIN_INT64_DIGITS : MAX_INT64_DIGITS);
}

function stripLeadingZeros(digits: string): string {
  let start = 0;

  while (start < digits.length - 1 && digits.charCodeAt(start) === 48) {
    start++;
  }

  return start === 0 ? digits : digits.slice(start);
}

/**
 * Integers are read as bigint without passing through a double: an
 * optional sign, digits, the thousands separator if one is set, and a
 * fraction only when it is all zeros (`1.0`, `-3,00` with a comma decimal).
 */
export function createIntegerCaster(options: CastOptions): Caster {
  const format = numberFormatFromOptions(options);

  return (value) => {
    switch (typeof value) {
      case 'string':
        return castIntegerText(value, format);
      case 'bigint':
        return value > MAX_INT64 || value < MIN_INT64 ? castFail(INTEGER_OUT_OF_RANGE) : castOk(value);
      case 'number':
        if (!Number.isInteger(value)) {
          return castFail(Number.isFinite(value) ? HAS_FRACTION : NOT_AN_INTEGER);
        }

        return Number.isSafeInteger(value) ? castOk(BigInt(value)) : castFail(UNSAFE_DOUBLE);
      default:
        return value === null || value === undefined ? NULL_RESULT : castFail(`${describeKind(value)} is not an integer`);
    }
  };
}

function castIntegerText(value: string, format: NumberFormat): ReturnType<Caster> {
  const text = trimToContent(value);

  if (text === null) {
    return NULL_RESULT;
  }

  // Fast path: optional sign and up to 15 digits fit a double exactly.
  const length = text.length;
  const first = text.charCodeAt(0);
  const start = first === 45 || first === 43 ? 1 : 0;
  let magnitude = 0;
  let index = start;

  while (index < length) {
    const digit = text.charCodeAt(index) - 48;

    if (digit < 0 || digit > 9) {
      break;
    }

    magnitude = magnitude * 10 + digit;
    index++;
  }

  if (index === length && index > start) {
    if (length - start <= 15) {
      return integerResult(first === 45 ? -magnitude : magnitude);
    }

    const digits = stripLeadingZeros(text.slice(start));

    return fitsInt64(digits, first === 45) ? castOk(BigInt(text)) : castFail(INTEGER_OUT_OF_RANGE);
  }

  const parts = scanDecimal(text, format, false);

  if (typeof parts === 'string') {
    return castFail(parts === BAD_GROUPING ? `${NOT_AN_INTEGER} (${GROUPING_RULE})` : NOT_AN_INTEGER);
  }

  if (!/^0*$/.test(parts.fractionDigits)) {
    return castFail(HAS_FRACTION);
  }

  const digits = stripLeadingZeros(parts.integerDigits === '' ? '0' : parts.integerDigits);

  if (!fitsInt64(digits, parts.negative)) {
    return castFail(INTEGER_OUT_OF_RANGE);
  }

  return castOk(BigInt(parts.negative ? `-${digits}` : digits));
}

/** Reads a float (a double): decimals, exponents, `.097`, the configured separators; NaN and Infinity fail. */
export function createFloatCaster(options: CastOptions): Caster {
  const format = numberFormatFromOptions(options);

  return (value) => {
    switch (typeof value) {
      case 'string':
        return castFloatText(value, format);
      case 'number':
        return Number.isFinite(value) ? castOk(value) : castFail('not a finite number (NaN and Infinity are not accepted)');
      case 'bigint':
        return castOk(Number(value));
      default:
        return value === null || value === undefined ? NULL_RESULT : castFail(`${describeKind(value)} is not a number`);
    }
  };
}

function castFloatText(value: string, format: NumberFormat): ReturnType<Caster> {
  const text = trimToContent(value);

  if (text === null) {
    return NULL_RESULT;
  }

  if (format.plain && isPlainFloatText(text)) {
    const number = Number(text);

    if (Number.isNaN(number)) {
      return castFail('not a number');
    }

    return Number.isFinite(number) ? castOk(number) : castFail(DOUBLE_OUT_OF_RANGE);
  }

  const parts = scanDecimal(text, format, true);

  if (typeof parts === 'string') {
    return castFail(parts);
  }

  const sign = parts.negative ? '-' : '';
  const number = Number(`${sign}${parts.integerDigits || '0'}.${parts.fractionDigits || '0'}e${parts.exponent}`);

  return Number.isFinite(number) ? castOk(number) : castFail(DOUBLE_OUT_OF_RANGE);
}

/**
 * True when the text holds only digits, `.`, `e`, `E`, `+` and `-`: then
 * `Number` reads exactly the decimal grammar (or returns NaN), because its
 * other forms (`0x1f`, `Infinity`, blanks) need other characters.
 */
function isPlainFloatText(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);

    if ((code < 48 || code > 57) && code !== 46 && code !== 101 && code !== 69 && code !== 43 && code !== 45) {
      return false;
    }
  }

  return true;
}

/** Reads an exact decimal into canonical numeric text (see `canonicalNumeric`). */
export function createNumericCaster(options: CastOptions): Caster {
  const format = numberFormatFromOptions(options);

  return (value) => {
    switch (typeof value) {
      case 'string': {
        const text = trimToContent(value);

        if (text === null) {
          return NULL_RESULT;
        }

        const parts = scanDecimal(text, format, true);

        if (typeof parts === 'string') {
          return castFail(parts);
        }

        const numeric = canonicalNumeric(parts);

        return numeric === null ? castFail(NUMERIC_EXPONENT_OUT_OF_RANGE) : castOk(numeric);
      }

      case 'number':
        return Number.isFinite(value)
          ? castOk(numericFromDouble(value))
          : castFail('not a finite number (NaN and Infinity are not accepted)');
      case 'bigint':
        return castOk(value.toString());
      default:
        return value === null || value === undefined ? NULL_RESULT : castFail(`${describeKind(value)} is not a number`);
    }
  };
}
