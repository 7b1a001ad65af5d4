import { type JsonValue } from '../doc-store';
import { type FieldPath } from '../validation/query.util';

/**
 * Rank of each JSON type in the sort order that queries use: values of a
 * lower rank sort first, and values compare only within one rank. Booleans
 * share a rank and compare as 0 and 1.
 */
export const TYPE_RANK = { null: 0, boolean: 1, number: 2, string: 3, array: 4, map: 5 } as const;

/** Quotes a string as an SQL literal; used where SQLite needs a literal (index expressions, partial index filters). */
export function sqlStringLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** SQL literal of the SQLite JSON path of a field, each segment quoted: `'$."address"."city"'`. */
export function jsonPathLiteral(field: FieldPath): string {
  // Segments never contain `"` or `\` (parseFieldPath rejects them), so quoting cannot be escaped.
  return sqlStringLiteral(`$${field.segments.map((segment) => `."${segment}"`).join('')}`);
}

/** SQL expression of the field's type rank: NULL when the field is missing. */
export function typeRankExpression(pathLiteral: string): string {
  return (
    `(CASE json_type(data, ${pathLiteral})` +
    ` WHEN 'null' THEN ${TYPE_RANK.null} WHEN 'false' THEN ${TYPE_RANK.boolean} WHEN 'true' THEN ${TYPE_RANK.boolean}` +
    ` WHEN 'integer' THEN ${TYPE_RANK.number} WHEN 'real' THEN ${TYPE_RANK.number} WHEN 'text' THEN ${TYPE_RANK.string}` +
    ` WHEN 'array' THEN ${TYPE_RANK.array} WHEN 'object' THEN ${TYPE_RANK.map} END)`
  );
}

/**
 * SQL expression of the field's comparable value: the number, the string,
 * 0 or 1 for booleans, 0 for null, and the JSON text of arrays and maps.
 * Never NULL, so row-value comparisons of sort keys stay defined.
 */
export function valueExpression(pathLiteral: string): string {
  return `IFNULL(json_extract(data, ${pathLiteral}), 0)`;
}

/** A query operand as the type rank and comparable value that the SQL expressions above produce. */
export interface TypedOperand {
  rank: number;
  value: number | string;
}

/**
 * Converts an operand to its rank and comparable value. `renderJson` turns
 * the JSON text of an array or map into SQLite's rendering, which is what
 * `json_extract` returns for stored arrays and maps.
 */
export function typedOperand(value: JsonValue, renderJson: (json: string) => string): TypedOperand {
  if (value === null) {
    return { rank: TYPE_RANK.null, value: 0 };
  }

  if (typeof value === 'boolean') {
    return { rank: TYPE_RANK.boolean, value: value ? 1 : 0 };
  }

  if (typeof value === 'number') {
    return { rank: TYPE_RANK.number, value };
  }

  if (typeof value === 'string') {
    return { rank: TYPE_RANK.string, value };
  }

  return {
    rank: Array.isArray(value) ? TYPE_RANK.array : TYPE_RANK.map,
    value: renderJson(JSON.stringify(value)),
  };
}

/** SQL condition on one element `e` of `json_each` that matches `value`, with its parameters. */
export function arrayElementCondition(
  value: JsonValue,
  renderJson: (json: string) => string,
): { sql: string; params: (number | string)[] } {
  if (value === null) {
    return { sql: `e.type = 'null'`, params: [] };
  }

  if (typeof value === 'boolean') {
    return { sql: value ? `e.type = 'true'` : `e.type = 'false'`, params: [] };
  }

  if (typeof value === 'number') {
    return { sql: `e.type IN ('integer', 'real') AND e.value = ?`, params: [value] };
  }

  if (typeof value === 'string') {
    return { sql: `e.type = 'text' AND e.value = ?`, params: [value] };
  }

  // Arrays never contain arrays (the data rules reject them), so only maps remain.
  return { sql: `e.type = 'object' AND e.value = ?`, params: [renderJson(JSON.stringify(value))] };
}
