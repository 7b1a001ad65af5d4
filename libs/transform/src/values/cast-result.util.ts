import { type CastResult, type Value } from '../types';

export function castOk(value: Value): CastResult {
  return { ok: true, value };
}

export function castFail(reason: string): CastResult {
  return { ok: false, reason };
}

export const NULL_RESULT: CastResult = Object.freeze({ ok: true, value: null }) as CastResult;

/**
 * Trims white space around a value, or returns null when nothing else is
 * left: every type but text reads a blank cell as null. The common case
 * (no white space at either end) returns the text itself without copying.
 */
export function trimToContent(text: string): string | null {
  const length = text.length;

  if (length === 0) {
    return null;
  }

  if (text.charCodeAt(0) > 32 && text.charCodeAt(length - 1) > 32) {
    return text;
  }

  const trimmed = text.trim();

  return trimmed === '' ? null : trimmed;
}

/** Describes a raw value for a failure reason without echoing long input. */
export function describeKind(value: unknown): string {
  if (typeof value === 'boolean') {
    return 'a boolean';
  }

  if (typeof value === 'number' || typeof value === 'bigint') {
    return 'a number';
  }

  if (Array.isArray(value)) {
    return 'an array';
  }

  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
