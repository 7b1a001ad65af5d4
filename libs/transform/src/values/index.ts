import { type CastOptions, type Caster, type ColumnType } from '../types';
import { createBooleanCaster } from './boolean-cast.util';
import { createDateTimeCaster } from './date-time-cast.util';
import { createFloatCaster, createIntegerCaster, createNumericCaster } from './number-cast.util';
import { createJsonCaster, createTextCaster } from './text-json-cast.util';

export { DEFAULT_FALSE_VALUES, DEFAULT_TRUE_VALUES } from './boolean-cast.util';
export { type JsonValue, toCopyRow, toCopyText, toJsonText, toJsonValue } from './value-output.util';

/** Options that only some types read; naming one for another type is a mistake worth reporting. */
const OPTION_TYPES: Record<keyof CastOptions, readonly ColumnType[]> = {
  format: ['date', 'timestamp', 'timestamptz'],
  timezone: ['date', 'timestamp', 'timestamptz'],
  decimalSeparator: ['integer', 'float', 'numeric'],
  thousandsSeparator: ['integer', 'float', 'numeric'],
  trueValues: ['boolean'],
  falseValues: ['boolean'],
};

/** Fields of a cast step that may come along when the step itself is passed as the options. */
const STEP_FIELDS = new Set(['op', 'column', 'type']);

function checkOptions(type: ColumnType, options: CastOptions): void {
  for (const [name, value] of Object.entries(options) as [keyof CastOptions, unknown][]) {
    const types = OPTION_TYPES[name] as readonly ColumnType[] | undefined;

    if (STEP_FIELDS.has(name)) {
      continue;
    }

    if (types === undefined) {
      throw new Error(`Unknown cast option "${name}".`);
    }

    if (value !== undefined && !types.includes(type)) {
      throw new Error(`Cast option "${name}" does not apply to type ${type}; it applies to ${types.join(', ')}.`);
    }
  }
}

/**
 * Creates the function that converts one raw or typed value to `type`. It
 * never throws per value: a value that does not convert gives
 * `{ ok: false, reason }`. Invalid options (an unknown zone, an
 * unsupported format token, clashing separators, an option that does not
 * apply to the type) throw here, once. A cast step may be passed as the
 * options: its `op`, `column` and `type` fields are ignored. The accepted
 * spellings of each type are listed in VALUES.md.
 */
export function createCaster(type: ColumnType, options: CastOptions = {}): Caster {
  checkOptions(type, options);

  switch (type) {
    case 'text':
      return createTextCaster();
    case 'integer':
      return createIntegerCaster(options);
    case 'float':
      return createFloatCaster(options);
    case 'numeric':
      return createNumericCaster(options);
    case 'boolean':
      return createBooleanCaster(options);
    case 'date':
    case 'timestamp':
    case 'timestamptz':
      return createDateTimeCaster(type, options);
    case 'json':
      return createJsonCaster();
    default: {
      const unknownType: never = type;

      throw new Error(`Unknown column type "${String(unknownType)}".`);
    }
  }
}
