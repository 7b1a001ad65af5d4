import { type PipeTransform } from '@nestjs/common';
import { type z } from 'zod';

import { AuthError } from '../auth.errors';

/**
 * Validates a body or parameter with a zod schema; the 400 response names
 * each invalid field and what is wrong with it. `subject` names the input.
 */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    private readonly subject = 'request body',
  ) {}

  transform(value: unknown): z.output<S> {
    const result = this.schema.safeParse(value);

    if (!result.success) {
      const problems = result.error.issues.map((issue) => ({
        field: issue.path.map(String).join('.') || this.subject,
        problem: issue.message,
      }));

      throw new AuthError(
        'INVALID_INPUT',
        `Invalid ${this.subject}: ${problems.map((problem) => `${problem.field} ${problem.problem}`).join('; ')}.`,
        { details: problems },
      );
    }

    return result.data;
  }
}
