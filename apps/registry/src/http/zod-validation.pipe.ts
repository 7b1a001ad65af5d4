import { BadRequestException, type PipeTransform } from '@nestjs/common';
import { type z } from 'zod';

/**
 * Validates a body or path parameter with a zod schema; a 400 response lists
 * each invalid field and why. `subject` names the input in the message.
 */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    private readonly subject = 'request body',
  ) {}

  transform(value: unknown): z.output<S> {
    const result = this.schema.safeParse(value);

    if (!result.success) {
      throw new BadRequestException({
        message: `Invalid ${this.subject}.`,
        problems: result.error.issues.map((issue) => ({
          field: issue.path.map(String).join('.') || this.subject,
          problem: issue.message,
        })),
      });
    }

    return result.data;
  }
}
