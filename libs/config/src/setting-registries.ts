import { z } from 'zod';

/** Environment variable that overrides a setting, attached to its schema. */
export const environmentNames = z.registry<{ env: string }>();

/** Marks schemas whose values are secrets: never shown, and scrubbed from logs. */
export const secretSchemas = z.registry<{ secret: true }>();

const ENVIRONMENT_NAME = /^[A-Z][A-Z0-9_]*$/;

/**
 * Maps a setting to an environment variable: `loadConfig` takes the variable,
 * when it is set and not empty, over the registry value. Returns the schema.
 */
export function fromEnv<S extends z.ZodType>(name: string, schema: S): S {
  if (!ENVIRONMENT_NAME.test(name)) {
    throw new TypeError(`Invalid environment variable name "${name}": use upper-case letters, digits and underscores.`);
  }

  environmentNames.add(schema, { env: name });

  return schema;
}
