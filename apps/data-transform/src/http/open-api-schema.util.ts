import { type SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';

/** Converts a zod schema to a JSON schema, for `@ApiOkResponse({ schema })` and `@ApiBody({ schema })`. */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): SchemaObject {
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });

  return jsonSchema as SchemaObject;
}
