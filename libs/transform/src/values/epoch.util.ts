export type EpochUnit = 'epoch_s' | 'epoch_ms';

/** An instant as whole seconds since 1970-01-01 UTC (floored) and microseconds 0 to 999999 after them. */
export interface EpochInstant {
  seconds: number;
  micro: number;
}

/** Integer parts longer than this cannot be a year from 1 to 9999 in milliseconds and would lose digits as doubles. */
const MAX_INTEGER_DIGITS = 15;

/**
 * Reads Unix time written as `[-+]digits[.digits]` in seconds or
 * milliseconds, exactly, because no double can store the whole value in microseconds.
 * Returns the failure reason, or null with the result in `target`.
 */
export function readEpochText(text: string, unit: EpochUnit, target: EpochInstant): string | null {
  const length = text.length;
  let index = 0;
  let negative = false;
  const first = text.charCodeAt(0);

  if (first === 45 || first === 43) {
    negative = first === 45;
    index = 1;
  }

  const integerStart = index;
  let integer = 0;

  while (index < length) {
    const digit = text.charCodeAt(index) - 48;

    if (digit < 0 || digit > 9) {
      break;
    }

    integer = integer * 10 + digit;
    index++;
  }

  const integerDigits = index - integerStart;
  let fractionMicro = 0;

  if (index < length && text.charCodeAt(index) === 46) {
    const fractionStart = index + 1;
    // A fraction of a millisecond has 3 digits down to microseconds, of a second 6.
    const kept = unit === 'epoch_s' ? 6 : 3;
    let scale = 1;

    index++;

    while (index < length) {
      const digit = text.charCodeAt(index) - 48;

      if (digit < 0 || digit > 9) {
        break;
      }

      const position = index - fractionStart;

      if (position < kept) {
        fractionMicro = fractionMicro * 10 + digit;
        scale *= 10;
      } else if (position === kept && digit >= 5) {
        fractionMicro++;
      }

      index++;
    }

    fractionMicro = Math.round((fractionMicro * (unit === 'epoch_s' ? 1_000_000 : 1000)) / scale);

    if (index === fractionStart && integerDigits === 0) {
      return notEpoch(unit);
    }
  } else if (integerDigits === 0) {
    return notEpoch(unit);
  }

  if (index !== length) {
    return notEpoch(unit);
  }

  if (integerDigits > MAX_INTEGER_DIGITS) {
    return 'Unix time is out of range (years 1 to 9999)';
  }

  setInstant(unit, integer, fractionMicro, negative, target);

  return null;
}

/** Reads Unix time from a JSON number or a bigint. */
export function readEpochNumber(value: number | bigint, unit: EpochUnit, target: EpochInstant): string | null {
  let magnitude: number;

  if (typeof value === 'bigint') {
    const absolute = value < 0n ? -value : value;

    if (absolute > BigInt(Number.MAX_SAFE_INTEGER)) {
      return 'Unix time is out of range (years 1 to 9999)';
    }

    magnitude = Number(absolute);
  } else {
    if (!Number.isFinite(value)) {
      return 'Unix time must be a finite number';
    }

    magnitude = Math.abs(value);
  }

  const integer = Math.floor(magnitude);
  const fraction = magnitude - integer;
  const fractionMicro = Math.round(fraction * (unit === 'epoch_s' ? 1_000_000 : 1000));
  const negative = typeof value === 'bigint' ? value < 0n : value < 0;

  setInstant(unit, integer, fractionMicro, negative, target);

  return null;
}

/** Splits a magnitude (whole units plus microseconds of fraction) into floored seconds and microseconds. */
function setInstant(unit: EpochUnit, integer: number, fractionMicro: number, negative: boolean, target: EpochInstant): void {
  let seconds: number;
  let micro: number;

  if (unit === 'epoch_s') {
    seconds = integer;
    micro = fractionMicro;
  } else {
    seconds = Math.floor(integer / 1000);
    micro = (integer - seconds * 1000) * 1000 + fractionMicro;
  }

  if (micro >= 1_000_000) {
    seconds++;
    micro -= 1_000_000;
  }

  if (negative && (seconds !== 0 || micro !== 0)) {
    if (micro > 0) {
      seconds = -seconds - 1;
      micro = 1_000_000 - micro;
    } else {
      seconds = -seconds;
    }
  }

  target.seconds = seconds;
  target.micro = micro;
}

function notEpoch(unit: EpochUnit): string {
  return `not a Unix time in ${unit === 'epoch_s' ? 'seconds' : 'milliseconds'} (digits with an optional sign and fraction)`;
}
