import { type z } from 'zod';

import { invalidField } from './transform-http.error';

/**
 * Parses a body or query with a zod schema. The first problem becomes a 400
 * that names its field, or `whole` when the value itself is wrong.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, whole: string): z.output<S> {
  const parsed = schema.safeParse(value ?? {});

  if (parsed.success) {
    return parsed.data;
  }

  const issue = parsed.error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? whole : issue.path.join('.');

  throw invalidField(field, `Invalid ${field}: ${issue?.message ?? 'invalid value'}.`);
}
