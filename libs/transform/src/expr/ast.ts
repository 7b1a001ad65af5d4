/**
 * The parsed form of an expression. `position` is the 1-based offset of the
 * node's token: the operator of a binary or `is null` node, else its first token.
 */
export type ExpressionNode =
  | { kind: 'number'; text: string; position: number; depth: number }
  | { kind: 'string'; value: string; position: number; depth: number }
  | { kind: 'boolean'; value: boolean; position: number; depth: number }
  | { kind: 'null'; position: number; depth: number }
  | { kind: 'column'; name: string; position: number; depth: number }
  | {
      kind: 'unary';
      operator: '-' | '+' | 'not';
      operand: ExpressionNode;
      position: number;
      depth: number;
    }
  | {
      kind: 'binary';
      operator: BinaryOperator;
      left: ExpressionNode;
      right: ExpressionNode;
      position: number;
      depth: number;
    }
  | { kind: 'is-null'; negated: boolean; operand: ExpressionNode; position: number; depth: number }
  | { kind: 'call'; name: string; args: ExpressionNode[]; position: number; depth: number };

export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%';
export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type BinaryOperator = ArithmeticOperator | ComparisonOperator | '||' | 'and' | 'or';
