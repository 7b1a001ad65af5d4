import { type CastOptions } from '../types';

/**
 * The number layout of a column: the decimal separator and the optional
 * thousands separator, as character codes. Space-like thousands
 * separators (space, no-break space U+00A0, narrow no-break space U+202F)
 * are read as one, because spreadsheets and locales mix them.
 */
export interface NumberFormat {
  decimal: number;
  /** -1 when the column has no thousands separator. */
  thousands: number;
  /** True when the text may use its default fast path: `.` decimals and no thousands separator. */
  plain: boolean;
}

const SPACE_LIKE = new Set([0x20, 0xa0, 0x202f]);

export function isSpaceLike(code: number): boolean {
  return SPACE_LIKE.has(code);
}

function checkSeparator(name: string, separator: string): number {
  if (separator.length !== 1) {
    throw new Error(`Invalid ${name} "${separator}": it must be exactly one character.`);
  }

  if (/[0-9+\-eE]/.test(separator)) {
    throw new Error(`Invalid ${name} "${separator}": digits, signs and the letter e cannot separate numbers.`);
  }

  return separator.charCodeAt(0);
}

/** Validates the separator options of a cast; throws once for an unusable pair. */
export function numberFormatFromOptions(options: CastOptions): NumberFormat {
  const decimal = options.decimalSeparator === undefined ? 46 : checkSeparator('decimalSeparator', options.decimalSeparator);
  const thousands =
    options.thousandsSeparator === undefined || options.thousandsSeparator === ''
      ? -1
      : checkSeparator('thousandsSeparator', options.thousandsSeparator);

  if (decimal === thousands || (isSpaceLike(decimal) && isSpaceLike(thousands))) {
    throw new Error(
      `Invalid separators: the decimal and thousands separators are both "${options.decimalSeparator ?? '.'}"; they must differ.`,
    );
  }

  return { decimal, thousands, plain: decimal === 46 && thousands === -1 };
}

/** The parts of a decimal number, digits without separators. */
export interface DecimalParts {
  negative: boolean;
  integerDigits: string;
  fractionDigits: string;
  /** Power of ten from an `e` exponent, 0 without one. */
  exponent: number;
  hasExponent: boolean;
}

export const NOT_A_NUMBER = 'not a number';
export const GROUPING_RULE = 'thousands separators must split the digits into groups of three';
export const BAD_GROUPING = `not a number (${GROUPING_RULE})`;
export const NOT_FINITE = 'not a finite number (NaN and Infinity are not accepted)';

const NON_FINITE = /^[-+]?(nan|inf|infinity)$/i;

/**
 * Splits `[-+]digits[sep digits…][dec digits][e[-+]digits]` into parts, or
 * returns the reason it is not a number. Either side of the decimal
 * separator may be empty but not both (`.097` and `5.` are numbers).
 */
export function scanDecimal(text: string, format: NumberFormat, allowExponent: boolean): DecimalParts | string {
  const length = text.length;
  let index = 0;
  let negative = false;
  const first = text.charCodeAt(0);

  if (first === 45 || first === 43) {
    negative = first === 45;
    index = 1;
  }

  let integerDigits = '';
  let groupStart = index;
  let groupCount = 0;
  const thousands = format.thousands;
  const spaceThousands = thousands >= 0 && isSpaceLike(thousands);

  while (index < length) {
    const code = text.charCodeAt(index);

    if (code >= 48 && code <= 57) {
      index++;
      continue;
    }

    if (thousands >= 0 && (code === thousands || (spaceThousands && isSpaceLike(code)))) {
      const group = index - groupStart;

      // The first group has 1 to 3 digits, and every later one exactly 3.
      if (group === 0 || group > 3 || (groupCount > 0 && group !== 3)) {
        return BAD_GROUPING;
      }

      integerDigits += text.slice(groupStart, index);
      groupCount++;
      index++;
      groupStart = index;
      continue;
    }

    break;
  }

  const lastGroup = index - groupStart;

  if (groupCount > 0 && lastGroup !== 3) {
    return BAD_GROUPING;
  }

  integerDigits += text.slice(groupStart, index);

  let fractionDigits = '';

  if (index < length && text.charCodeAt(index) === format.decimal) {
    const fractionStart = ++index;

    while (index < length) {
      const code = text.charCodeAt(index);

      if (code < 48 || code > 57) {
        break;
      }

      index++;
    }

    fractionDigits = text.slice(fractionStart, index);
  }

  if (integerDigits === '' && fractionDigits === '') {
    return NON_FINITE.test(text) ? NOT_FINITE : NOT_A_NUMBER;
  }

  let exponent = 0;
  let hasExponent = false;

  if (index < length && (text.charCodeAt(index) | 32) === 101) {
    if (!allowExponent) {
      return NOT_A_NUMBER;
    }

    index++;

    let exponentNegative = false;
    const sign = text.charCodeAt(index);

    if (sign === 45 || sign === 43) {
      exponentNegative = sign === 45;
      index++;
    }

    const exponentStart = index;

    while (index < length) {
      const code = text.charCodeAt(index);

      if (code < 48 || code > 57) {
        break;
      }

      // Saturate: anything past 10^9 is out of every range anyway.
      exponent = exponent < 1e9 ? exponent * 10 + (code - 48) : exponent;
      index++;
    }

    if (index === exponentStart) {
      return NOT_A_NUMBER;
    }

    exponent = exponentNegative ? -exponent : exponent;
    hasExponent = true;
  }

  if (index !== length) {
    return NOT_A_NUMBER;
  }

  return { negative, integerDigits, fractionDigits, exponent, hasExponent };
}
