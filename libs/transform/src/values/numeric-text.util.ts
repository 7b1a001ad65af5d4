import { type DecimalParts, NOT_A_NUMBER, scanDecimal } from './number-format.util';

/** Exponents beyond this are refused for numeric rather than written out as thousands of zeros. */
const MAX_NUMERIC_EXPONENT = 1000;

const PLAIN_FORMAT = { decimal: 46, thousands: -1, plain: true };

function stripLeadingZeros(digits: string): string {
  let start = 0;

  while (start < digits.length - 1 && digits.charCodeAt(start) === 48) {
    start++;
  }

  return start === 0 ? digits : digits.slice(start);
}

function isAllZeros(digits: string): boolean {
  for (let index = 0; index < digits.length; index++) {
    if (digits.charCodeAt(index) !== 48) {
      return false;
    }
  }

  return true;
}

/**
 * Writes decimal parts as PostgreSQL's numeric text: no exponent, no
 * leading zeros, the fraction digits as written (so `12.50` keeps its
 * scale), and no sign on zero. An exponent moves the point, and the scale
 * becomes the written fraction length less the exponent (never below 0),
 * as PostgreSQL reads `1.50e-2` as `0.0150`.
 */
export function canonicalNumeric(parts: DecimalParts): string | null {
  let integerDigits = parts.integerDigits;
  let fractionDigits = parts.fractionDigits;

  if (parts.hasExponent && parts.exponent !== 0) {
    if (Math.abs(parts.exponent) > MAX_NUMERIC_EXPONENT) {
      return null;
    }

    const digits = integerDigits + fractionDigits;
    const pointAt = integerDigits.length + parts.exponent;

    if (pointAt >= digits.length) {
      integerDigits = digits + '0'.repeat(pointAt - digits.length);
      fractionDigits = '';
    } else if (pointAt <= 0) {
      integerDigits = '0';
      fractionDigits = '0'.repeat(-pointAt) + digits;
    } else {
      integerDigits = digits.slice(0, pointAt);
      fractionDigits = digits.slice(pointAt);
    }
  }

  integerDigits = integerDigits === '' ? '0' : stripLeadingZeros(integerDigits);

  const isZero = integerDigits === '0' && isAllZeros(fractionDigits);
  const sign = parts.negative && !isZero ? '-' : '';

  return fractionDigits === '' ? `${sign}${integerDigits}` : `${sign}${integerDigits}.${fractionDigits}`;
}

/** Canonical numeric text of a finite double, through its shortest round-trip form. */
export function numericFromDouble(value: number): string {
  const parts = scanDecimal(String(value), PLAIN_FORMAT, true);

  if (typeof parts === 'string') {
    throw new Error(`Unexpected number text ${String(value)}: ${NOT_A_NUMBER}`);
  }

  return canonicalNumeric(parts) ?? String(value);
}

/** Drops the trailing zeros of a canonical numeric's fraction, so `1.50` and `1.5` compare equal. */
function trimScale(numeric: string): string {
  if (!numeric.includes('.')) {
    return numeric;
  }

  let end = numeric.length;

  while (numeric.charCodeAt(end - 1) === 48) {
    end--;
  }

  if (numeric.charCodeAt(end - 1) === 46) {
    end--;
  }

  const trimmed = numeric.slice(0, end);

  return trimmed === '-0' ? '0' : trimmed;
}

/**
 * Returns the double whose shortest form has the same decimal value as the
 * canonical numeric text, or null when no double has that value (too many
 * significant digits, or out of range).
 */
export function exactDouble(numeric: string): number | null {
  const value = Number(numeric);

  if (!Number.isFinite(value)) {
    return null;
  }

  return trimScale(numericFromDouble(value)) === trimScale(numeric) ? value : null;
}

/** Reads plain decimal text (`.` separator, exponent allowed) as canonical numeric, or null. */
export function canonicalNumericText(text: string): string | null {
  const parts = scanDecimal(text, PLAIN_FORMAT, true);

  return typeof parts === 'string' ? null : canonicalNumeric(parts);
}
