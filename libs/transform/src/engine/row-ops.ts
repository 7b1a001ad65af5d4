import { EvaluationError, type Evaluator } from '../expr';
import { type Caster, type ColumnType, type Value } from '../types';
import { type ErrorSink } from './error-sink';
import { type RowOp } from './plan';
import { valueText } from './value-text.util';

/** A pending column to convert: its slot, its current name (for errors), its caster and type. */
export interface Conversion {
  slot: number;
  name: string;
  caster: Caster;
  type: ColumnType;
  /** The pending type is text, so a string needs no conversion. */
  text: boolean;
}

function castMessage(type: ColumnType, reason: string): string {
  return `cannot read as ${type}: ${reason}`;
}

/** Converts pending raw values to their types; a failed conversion goes to the error policy. */
export function conversionOp(conversions: Conversion[], sink: ErrorSink): RowOp {
  return (row) => {
    for (const conversion of conversions) {
      const raw = row[conversion.slot];

      if (raw === null || (conversion.text && typeof raw === 'string')) {
        continue;
      }

      const result = conversion.caster(raw as Value);

      if (result.ok) {
        row[conversion.slot] = result.value;
      } else if (sink.report(conversion.name, raw, castMessage(conversion.type, result.reason))) {
        row[conversion.slot] = null;
      } else {
        return false;
      }
    }

    return true;
  };
}

/** Builds an explicit cast, which reads the raw text of a pending column and the typed value of any other. */
export function castOp(
  slot: number,
  name: string,
  type: ColumnType,
  caster: Caster,
  sink: ErrorSink,
): RowOp {
  return (row) => {
    const value = row[slot];

    if (value === null) {
      return true;
    }

    const result = caster(value as Value);

    if (result.ok) {
      row[slot] = result.value;

      return true;
    }

    if (sink.report(name, value, castMessage(type, result.reason))) {
      row[slot] = null;

      return true;
    }

    return false;
  };
}

export function deriveOp(
  slot: number,
  name: string,
  evaluate: Evaluator,
  result: { type: ColumnType; caster: Caster } | null,
  sink: ErrorSink,
): RowOp {
  return (row) => {
    let value: Value;

    try {
      value = evaluate(row);
    } catch (error) {
      if (!(error instanceof EvaluationError)) {
        throw error;
      }

      if (!sink.report(name, null, error.message)) {
        return false;
      }

      value = null;
    }

    if (result !== null && value !== null) {
      const cast = result.caster(value);

      if (cast.ok) {
        value = cast.value;
      } else if (sink.report(name, value, castMessage(result.type, cast.reason))) {
        value = null;
      } else {
        return false;
      }
    }

    row[slot] = value;

    return true;
  };
}

/** Keeps rows where the condition is true; null and failed evaluations count as false. */
export function filterOp(evaluate: Evaluator, sink: ErrorSink): RowOp {
  return (row) => {
    try {
      return evaluate(row) === true;
    } catch (error) {
      if (!(error instanceof EvaluationError)) {
        throw error;
      }

      sink.report(null, null, error.message);

      return false;
    }
  };
}

export function fillConstantOp(slot: number, value: Value): RowOp {
  return (row) => {
    if (row[slot] === null) {
      row[slot] = value;
    }

    return true;
  };
}

/** Replaces null with the last non-null value this step saw, across chunks. */
export function fillPreviousOp(slot: number): RowOp {
  let previous: unknown = null;

  return (row) => {
    const value = row[slot];

    if (value === null) {
      row[slot] = previous;
    } else {
      previous = value;
    }

    return true;
  };
}

/** Applies a string function to the text of each listed slot, leaving null as null. */
export function textOp(slots: number[], apply: (text: string) => string | null): RowOp {
  return (row) => {
    for (const slot of slots) {
      const value = row[slot];

      if (value !== null) {
        row[slot] = apply(typeof value === 'string' ? value : valueText(value));
      }
    }

    return true;
  };
}

export function splitOp(
  source: number,
  sourceName: string,
  separator: string,
  targets: number[],
  sink: ErrorSink,
): RowOp {
  return (row) => {
    const value = row[source];

    if (value === null) {
      for (const target of targets) {
        row[target] = null;
      }

      return true;
    }

    const text = typeof value === 'string' ? value : valueText(value);
    const parts = text.split(separator);

    if (parts.length > targets.length) {
      const message = `split gives ${parts.length} parts, but "into" names ${targets.length} columns`;

      if (!sink.report(sourceName, text, message)) {
        return false;
      }

      for (const target of targets) {
        row[target] = null;
      }

      return true;
    }

    for (let index = 0; index < targets.length; index += 1) {
      row[targets[index]] = index < parts.length ? parts[index] : null;
    }

    return true;
  };
}

/** Rewrites a value so equal values of its type have one form (`1.50` and `1.5`), or null when none is needed. */
export type KeyNormalizer = ((value: unknown) => unknown) | null;

/** Builds the key a dedupe compares: the value itself for one key column, else an unambiguous string. */
export function keyFunction(
  slots: number[],
  normalizers: KeyNormalizer[],
): (row: readonly unknown[]) => unknown {
  if (slots.length === 1) {
    const [slot] = slots;
    const [normalize] = normalizers;

    if (normalize === null) {
      return (row) => row[slot];
    }

    return (row) => (row[slot] === null ? null : normalize(row[slot]));
  }

  return (row) => {
    let key = '';

    for (let index = 0; index < slots.length; index += 1) {
      const value = row[slots[index]];

      if (value === null) {
        // Length-prefixed parts start with a digit, so this marker cannot collide with one.
        key += '\u0000';
      } else {
        const normalize = normalizers[index];
        const text = String(normalize === null ? value : normalize(value));

        key += `${text.length}:${text}`;
      }
    }

    return key;
  };
}

export function dedupeFirstOp(keyOf: (row: readonly unknown[]) => unknown): RowOp {
  const seen = new Set<unknown>();

  return (row) => {
    const key = keyOf(row);

    if (seen.has(key)) {
      return false;
    }

    seen.add(key);

    return true;
  };
}
