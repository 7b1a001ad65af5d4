import { type z } from 'zod';

import { environmentNames, secretSchemas } from './setting-registries';

/** A leaf setting of a config schema, found by walking its nested objects. */
export interface SettingField {
  path: string[];
  env?: string;
  secret: boolean;
}

interface WalkableDefinition {
  type: string;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  shape?: Record<string, z.core.$ZodType>;
}

// Wrappers that keep the setting's meaning; the registries may have been
// attached to the wrapper or to the schema inside it.
const WRAPPER_TYPES = new Set(['optional', 'nullable', 'default', 'prefault', 'catch', 'readonly', 'nonoptional']);

/** Lists every leaf setting of `schema` with its environment variable and secret flag. */
export function listSettingFields(schema: z.core.$ZodType, path: string[] = []): SettingField[] {
  let env: string | undefined;
  let secret = false;
  let current: z.core.$ZodType | undefined = schema;

  while (current !== undefined) {
    env ??= environmentNames.get(current)?.env;
    secret ||= secretSchemas.has(current);
    const definition = current._zod.def as WalkableDefinition;

    if (definition.type === 'object' && definition.shape !== undefined && env === undefined) {
      return Object.entries(definition.shape).flatMap(([key, child]) => listSettingFields(child, [...path, key]));
    }

    current = innerSchema(definition);
  }

  return [{ path, env, secret }];
}

function innerSchema(definition: WalkableDefinition): z.core.$ZodType | undefined {
  if (WRAPPER_TYPES.has(definition.type)) {
    return definition.innerType;
  }

  // A pipe (a transform, say) validates its input with the first schema.
  if (definition.type === 'pipe') {
    return definition.in;
  }

  return undefined;
}
