import { type CastOptions, type Caster } from '../types';
import { castFail, castOk, describeKind, NULL_RESULT, trimToContent } from './cast-result.util';

export const DEFAULT_TRUE_VALUES: readonly string[] = ['true', 't', 'yes', 'y', '1', 'on'];
export const DEFAULT_FALSE_VALUES: readonly string[] = ['false', 'f', 'no', 'n', '0', 'off'];

/** Builds the lower-cased spelling table; throws for a blank spelling or one listed as both true and false. */
export function booleanSpellings(options: CastOptions): Map<string, boolean> {
  const spellings = new Map<string, boolean>();
  const add = (values: readonly string[], meaning: boolean): void => {
    for (const raw of values) {
      const spelling = raw.trim().toLowerCase();

      if (spelling === '') {
        throw new Error('Invalid boolean spellings: a blank value cannot be true or false, because blank cells are null.');
      }

      if (spellings.get(spelling) === !meaning) {
        throw new Error(`Invalid boolean spellings: "${raw}" is listed as both true and false.`);
      }

      spellings.set(spelling, meaning);
    }
  };

  add(options.trueValues ?? DEFAULT_TRUE_VALUES, true);
  add(options.falseValues ?? DEFAULT_FALSE_VALUES, false);

  return spellings;
}

/** Reads booleans from their spellings, case-insensitively; `trueValues` and `falseValues` replace the defaults. */
export function createBooleanCaster(options: CastOptions): Caster {
  const spellings = booleanSpellings(options);
  const expected = `not a boolean (expected one of ${[...spellings.keys()].join(', ')})`;

  const castText = (text: string): ReturnType<Caster> => {
    const meaning = spellings.get(text) ?? spellings.get(text.toLowerCase());

    return meaning === undefined ? castFail(expected) : castOk(meaning);
  };

  return (value) => {
    switch (typeof value) {
      case 'boolean':
        return castOk(value);
      case 'string': {
        const text = trimToContent(value);

        return text === null ? NULL_RESULT : castText(text);
      }

      case 'number':
      case 'bigint':
        return castText(String(value));
      default:
        return value === null || value === undefined ? NULL_RESULT : castFail(`${describeKind(value)} is not a boolean`);
    }
  };
}
