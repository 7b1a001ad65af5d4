import { EvaluationError } from './expression-error';

/**
 * Exact decimal arithmetic on the canonical numeric strings of the `numeric`
 * type (`-12.50`): a value is an unscaled bigint and a count of fraction digits.
 */
export interface Decimal {
  unscaled: bigint;
  scale: number;
}

/** Fewest significant digits a quotient keeps, as PostgreSQL's numeric division does. */
const DIVISION_SIGNIFICANT_DIGITS = 16;
/** Most fraction digits any result keeps. */
const MAX_SCALE = 1000;

const DECIMAL_PATTERN = /^([+-])?(\d*)(?:\.(\d*))?$/;

export function parseDecimal(text: string): Decimal {
  const match = DECIMAL_PATTERN.exec(text);

  if (match === null || (match[2] === '' && (match[3] ?? '') === '')) {
    throw new EvaluationError(`invalid numeric value "${text}"`);
  }

  const fraction = match[3] ?? '';
  const digits = `${match[2]}${fraction}` || '0';
  const unscaled = BigInt(digits);

  return { unscaled: match[1] === '-' ? -unscaled : unscaled, scale: fraction.length };
}

export function formatDecimal(value: Decimal): string {
  const negative = value.unscaled < 0n;
  const digits = (negative ? -value.unscaled : value.unscaled).toString();

  if (value.scale === 0) {
    return negative ? `-${digits}` : digits;
  }

  const padded = digits.padStart(value.scale + 1, '0');
  const split = padded.length - value.scale;

  return `${negative ? '-' : ''}${padded.slice(0, split)}.${padded.slice(split)}`;
}

function pow10(exponent: number): bigint {
  return 10n ** BigInt(exponent);
}

function rescale(value: Decimal, scale: number): bigint {
  return value.unscaled * pow10(scale - value.scale);
}

/** Divides and rounds half away from zero. */
function divideRounded(dividend: bigint, divisor: bigint): bigint {
  const quotient = dividend / divisor;
  const remainder = dividend % divisor;
  const twice = (remainder < 0n ? -remainder : remainder) * 2n;
  const absDivisor = divisor < 0n ? -divisor : divisor;

  if (twice >= absDivisor) {
    return dividend < 0n !== divisor < 0n ? quotient - 1n : quotient + 1n;
  }

  return quotient;
}

export function addDecimal(left: Decimal, right: Decimal): Decimal {
  const scale = Math.max(left.scale, right.scale);

  return { unscaled: rescale(left, scale) + rescale(right, scale), scale };
}

export function subtractDecimal(left: Decimal, right: Decimal): Decimal {
  const scale = Math.max(left.scale, right.scale);

  return { unscaled: rescale(left, scale) - rescale(right, scale), scale };
}

export function multiplyDecimal(left: Decimal, right: Decimal): Decimal {
  return {
    unscaled: left.unscaled * right.unscaled,
    scale: Math.min(left.scale + right.scale, MAX_SCALE),
  };
}

function digitCount(value: bigint): number {
  return value === 0n ? 0 : (value < 0n ? -value : value).toString().length;
}

/**
 * Divides with at least 16 significant digits (and never fewer fraction digits
 * than either operand), rounds half away from zero, then drops trailing zeros
 * down to the larger operand scale: `10.00 / 4` is `2.50`, `1 / 3` is
 * `0.3333333333333333`.
 */
export function divideDecimal(left: Decimal, right: Decimal): Decimal {
  if (right.unscaled === 0n) {
    throw new EvaluationError('division by zero');
  }

  const integerDigits =
    digitCount(left.unscaled) - left.scale - (digitCount(right.unscaled) - right.scale);
  const keepScale = Math.max(left.scale, right.scale);
  const scale = Math.min(
    MAX_SCALE,
    Math.max(DIVISION_SIGNIFICANT_DIGITS - integerDigits, keepScale, 0),
  );
  // left / right at `scale` digits = left.unscaled * 10^(scale - ls + rs) / right.unscaled
  const shift = scale - left.scale + right.scale;
  const dividend = shift >= 0 ? left.unscaled * pow10(shift) : left.unscaled;
  const divisor = shift >= 0 ? right.unscaled : right.unscaled * pow10(-shift);

  return trimScale({ unscaled: divideRounded(dividend, divisor), scale }, keepScale);
}

/** Remainder with the sign of the dividend, exact. */
export function remainderDecimal(left: Decimal, right: Decimal): Decimal {
  if (right.unscaled === 0n) {
    throw new EvaluationError('division by zero');
  }

  const scale = Math.max(left.scale, right.scale);

  return { unscaled: rescale(left, scale) % rescale(right, scale), scale };
}

export function compareDecimal(left: Decimal, right: Decimal): number {
  const scale = Math.max(left.scale, right.scale);
  const a = rescale(left, scale);
  const b = rescale(right, scale);

  return a < b ? -1 : a > b ? 1 : 0;
}

/** Rounds half away from zero to `digits` fraction digits; a negative count rounds to tens, hundreds, … */
export function roundDecimal(value: Decimal, digits: number): Decimal {
  const target = Math.min(Math.max(digits, -MAX_SCALE), MAX_SCALE);

  if (target >= value.scale) {
    return { unscaled: rescale(value, target), scale: Math.max(target, 0) };
  }

  const rounded = divideRounded(value.unscaled, pow10(value.scale - target));

  if (target >= 0) {
    return { unscaled: rounded, scale: target };
  }

  return { unscaled: rounded * pow10(-target), scale: 0 };
}

function trimScale(value: Decimal, minScale: number): Decimal {
  let { unscaled, scale } = value;

  while (scale > minScale && unscaled % 10n === 0n) {
    unscaled /= 10n;
    scale -= 1;
  }

  return { unscaled, scale };
}

/**
 * Writes a double as a plain decimal string from its shortest round-trip form
 * (`1e-7` becomes `0.0000001`), so `round(1.005, 2)` rounds the digits a
 * reader sees.
 */
export function floatToDecimal(value: number): Decimal {
  const text = String(value);
  const exponentAt = text.indexOf('e');

  if (exponentAt < 0) {
    return parseDecimal(text);
  }

  const mantissa = parseDecimal(text.slice(0, exponentAt));
  const exponent = Number(text.slice(exponentAt + 1));

  if (exponent >= mantissa.scale) {
    return { unscaled: mantissa.unscaled * pow10(exponent - mantissa.scale), scale: 0 };
  }

  return { unscaled: mantissa.unscaled, scale: mantissa.scale - exponent };
}
