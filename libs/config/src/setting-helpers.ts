import { resolve } from 'node:path';

import { z } from 'zod';

import { LOG_LEVELS } from '@rokks/logging';

import { fromEnv, secretSchemas } from './setting-registries';

export const MIN_SECRET_LENGTH = 32;

// Placeholders and dictionary words that ship in examples and tutorials. The
// check compares them with the lower-cased value stripped of punctuation.
const WELL_KNOWN_SECRET_WORDS = [
  'changeme',
  'changeit',
  'replaceme',
  'placeholder',
  'example',
  'password',
  'passw0rd',
  'secret',
  'default',
  'letmein',
  'qwerty',
  '123456',
  'abcdef',
  'insecure',
  'dummy',
];

const MIN_DISTINCT_CHARACTERS = 8;

interface EnvOption {
  /** Environment variable that overrides the registry value. */
  env?: string;
}

/** Marks a schema as a secret: `loadConfig` then registers its value with the log scrubber. */
export function markSecret<S extends z.ZodType>(schema: S): S {
  secretSchemas.add(schema, { secret: true });

  return schema;
}

/**
 * Schema of a generated secret (an internal secret, a signing key): at least
 * 32 characters, no surrounding whitespace, no well-known placeholder or
 * dictionary word, not a repeated pattern, at least 8 distinct characters.
 * Error messages never contain the value.
 */
export function secretString(options: EnvOption = {}): z.ZodString {
  const schema = markSecret(
    z
      .string({ error: 'must be a string' })
      .check((context) => {
        const problem = findSecretProblem(context.value);

        if (problem !== undefined) {
          context.issues.push({ code: 'custom', message: problem, input: context.value, continue: false });
        }
      }),
  );

  return withEnv(schema, options);
}

/** Returns why `value` is not an acceptable secret, or undefined when it is. */
export function findSecretProblem(value: string): string | undefined {
  if (value === '') {
    return 'is empty';
  }

  if (value.trim() !== value) {
    return 'has leading or trailing whitespace';
  }

  if (value.length < MIN_SECRET_LENGTH) {
    return `is shorter than ${MIN_SECRET_LENGTH} characters`;
  }

  const letters = value.toLowerCase().replace(/[^a-z0-9]/g, '');
  const word = WELL_KNOWN_SECRET_WORDS.find((candidate) => letters.includes(candidate));

  if (word !== undefined) {
    return `contains the well-known word "${word}"; generate a random value, for example with \`openssl rand -base64 48\``;
  }

  // A string is periodic exactly when it occurs in itself doubled before
  // its own length ("abab" is found at index 2 of "abababab").
  if (`${value}${value}`.indexOf(value, 1) < value.length) {
    return 'repeats a short pattern';
  }

  if (new Set(value).size < MIN_DISTINCT_CHARACTERS) {
    return `uses fewer than ${MIN_DISTINCT_CHARACTERS} distinct characters`;
  }

  return undefined;
}

/** Schema of a TCP port, 0 to 65535, from a number or a string of digits. Port 0 lets the system pick a free port. */
export function port(options: EnvOption = {}): z.ZodType<number, number | string> {
  const schema = z.union([z.number(), z.string()], { error: 'must be a port number' }).transform((value, context) => {
    const text = typeof value === 'number' ? String(value) : value.trim();
    const parsed = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;

    if (!Number.isInteger(parsed) || parsed > 65_535) {
      context.issues.push({ code: 'custom', message: 'must be an integer from 0 to 65535', input: value });

      return z.NEVER;
    }

    return parsed;
  });

  return withEnv(schema, options);
}

/** Schema of a log level, mapped to `ROKKS_LOG_LEVEL` unless `env` names another variable; default `info`. */
export function logLevel(options: EnvOption = {}): z.ZodDefault<z.ZodEnum<{ [K in (typeof LOG_LEVELS)[number]]: K }>> {
  return withEnv(z.enum(LOG_LEVELS).default('info'), { env: options.env ?? 'ROKKS_LOG_LEVEL' });
}

/**
 * Schema of the data directory, mapped to `ROKKS_DATA_DIR` unless `env`
 * names another variable. The output is an absolute path, resolved against `cwd`
 * (default: the working directory); the default is `.rokks` there.
 */
export function dataDirectory(options: EnvOption & { cwd?: string } = {}): z.ZodType<string, string | undefined> {
  const cwd = options.cwd ?? process.cwd();
  const schema = z
    .string({ error: 'must be a path' })
    .trim()
    .min(1, 'is empty')
    .transform((value) => resolve(cwd, value))
    .prefault('.rokks');

  return withEnv(schema, { env: options.env ?? 'ROKKS_DATA_DIR' });
}

/** Schema of an on/off flag: a boolean, or a string such as `true`, `false`, `1`, `0`, `yes`, `no`, `on`, `off`. */
export function flag(options: EnvOption = {}): z.ZodType<boolean, boolean | string> {
  const schema = z.union([z.boolean(), z.stringbool()], { error: 'must be true or false' });

  return withEnv(schema, options);
}

function withEnv<S extends z.ZodType>(schema: S, options: EnvOption): S {
  return options.env === undefined ? schema : fromEnv(options.env, schema);
}
