import { type PipeTransform } from '@nestjs/common';
import { type z } from 'zod';

import { SqlEngineError } from '@rokks/sql-engine';

/** One invalid field of a request: its dotted path and what is wrong with it. */
export interface FieldProblem {
  field: string;
  problem: string;
}

/**
 * Validates `value` with a zod schema and returns the parsed value. Throws
 * INVALID_INPUT (400) whose message names each invalid field; `subject`
 * names the input in the message.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, subject = 'request body'): z.output<S> {
  const result = schema.safeParse(value);

  if (result.success) {
    return result.data;
  }

  const problems = result.error.issues.map((issue) => describeIssue(issue, subject));
  const listed = problems.map((problem) => `${problem.field}: ${problem.problem}`).join('; ');

  throw new SqlEngineError('INVALID_INPUT', `invalid ${subject}: ${listed}`, {
    field: problems[0]?.field,
    problems,
  });
}

function describeIssue(issue: z.core.$ZodIssue, subject: string): FieldProblem {
  const path = issue.path.map(String);

  if (issue.code === 'unrecognized_keys') {
    return { field: [...path, issue.keys.join(', ')].join('.'), problem: 'is not a known field' };
  }

  // zod reports a bad record key as "Invalid key in record"; the key's own issue gives the reason.
  const problem = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;

  return { field: path.join('.') || subject, problem };
}

/** `parseInput` as a Nest pipe, for `@Body(new ZodValidationPipe(schema))`. */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    private readonly subject = 'request body',
  ) {}

  transform(value: unknown): z.output<S> {
    return parseInput(this.schema, value, this.subject);
  }
}
