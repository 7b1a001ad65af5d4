import { type z } from 'zod';

import { MIN_SECRET_VALUE_LENGTH, registerSecretValue } from '@rokks/logging';

import { type ConfigProblem, ConfigError } from './config-error';
import { listSettingFields, type SettingField } from './schema-walk';

export interface ConfigSources {
  /** Environment variables, usually from `readEnvironment()`. Empty values count as unset. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Settings from the registry, shaped like the schema. */
  registry?: Readonly<Record<string, unknown>>;
}

/**
 * Validates a service's configuration and returns it typed. Registry values
 * come first, and an environment variable mapped with `fromEnv` overrides
 * the registry value. Every valid secret value is registered with the log
 * scrubber of `@rokks/logging`.
 *
 * @throws ConfigError listing every invalid or missing setting, without values.
 */
export function loadConfig<S extends z.ZodType>(schema: S, sources: ConfigSources): z.output<S> {
  const fields = listSettingFields(schema);
  const input = mergeSources(fields, sources);
  const result = schema.safeParse(input);

  if (!result.success) {
    throw new ConfigError(describeIssues(result.error.issues, fields, input));
  }

  registerSecrets(fields, result.data);

  return result.data;
}

function mergeSources(fields: SettingField[], sources: ConfigSources): Record<string, unknown> {
  const input = structuredClone({ ...(sources.registry ?? {}) }) as Record<string, unknown>;
  const env = sources.env ?? {};

  for (const field of fields) {
    const value = field.env === undefined ? undefined : env[field.env];

    if (value !== undefined && value !== '') {
      setAt(input, field.path, value);
    }
  }

  return input;
}

function describeIssues(issues: z.core.$ZodIssue[], fields: SettingField[], input: unknown): ConfigProblem[] {
  const problems = new Map<string, ConfigProblem>();

  for (const issue of issues) {
    const path = issue.path.map(String);
    const setting = path.length === 0 ? '(root)' : path.join('.');
    const field = fields.find((candidate) => isPrefix(candidate.path, path));
    const env = field?.env;
    const missing = getAt(input, path) === undefined;
    const problem = missing ? missingMessage(setting, env) : issue.message;
    const key = `${setting}\n${problem}`;

    if (!problems.has(key)) {
      problems.set(key, env === undefined ? { setting, problem } : { setting, env, problem });
    }
  }

  return [...problems.values()];
}

function missingMessage(setting: string, env: string | undefined): string {
  return env === undefined
    ? `is missing; set "${setting}" in the registry`
    : `is missing; set ${env} or "${setting}" in the registry`;
}

function registerSecrets(fields: SettingField[], config: unknown): void {
  for (const field of fields) {
    const value = field.secret ? getAt(config, field.path) : undefined;

    // NOTE: values shorter than MIN_SECRET_VALUE_LENGTH cannot be scrubbed
    // from logs without mangling other text, so they are not registered.
    if (typeof value === 'string' && value.length >= MIN_SECRET_VALUE_LENGTH) {
      registerSecretValue(value);
    }
  }
}

function isPrefix(prefix: string[], path: string[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, index) => segment === path[index]);
}

function getAt(root: unknown, path: string[]): unknown {
  let current = root;

  for (const segment of path) {
    if (typeof current !== 'object' || current === null) {
      return undefined;
    }

    current = (current as Record<string, unknown>)[segment];
  }

  return current;
}

function setAt(root: Record<string, unknown>, path: string[], value: unknown): void {
  let current = root;

  for (const segment of path.slice(0, -1)) {
    const next = current[segment];

    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      current[segment] = {};
    }

    current = current[segment] as Record<string, unknown>;
  }

  current[path[path.length - 1]] = value;
}
