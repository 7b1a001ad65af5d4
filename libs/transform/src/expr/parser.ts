import { type BinaryOperator, type ExpressionNode } from './ast';
import { ExpressionError } from './expression-error';
import { type Token, tokenize } from './tokenizer';

/** Longest expression text accepted, in UTF-16 code units (64 KiB of ASCII). */
export const MAX_EXPRESSION_LENGTH = 65_536;

/** Deepest expression tree accepted; a chain `a + b + c` counts one level per operator. */
export const MAX_EXPRESSION_DEPTH = 256;

const KEYWORDS = new Set(['and', 'or', 'not', 'is', 'null', 'true', 'false']);

/**
 * Binding power of each infix operator, loosest first, as in PostgreSQL:
 * `or`, `and`, `is [not] null`, comparison, `||`, `+ -`, `* / %`.
 * `not` binds between `and` and `is`, and unary minus binds tightest.
 */
const OR = 1;
const AND = 2;
const NOT = 3;
const IS = 4;
const COMPARISON = 5;
const CONCAT = 6;
const ADDITIVE = 7;
const MULTIPLICATIVE = 8;
const UNARY = 9;

const COMPARISONS: Record<string, BinaryOperator> = {
  '=': '=',
  '!=': '!=',
  '<>': '!=',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};

/** Parses expression text into a tree, or throws an ExpressionError with the position of the problem. */
export function parseExpression(text: string): ExpressionNode {
  if (text.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(
      `expression is too long (${text.length} characters, the maximum is ${MAX_EXPRESSION_LENGTH})`,
      MAX_EXPRESSION_LENGTH + 1,
    );
  }

  const parser = new Parser(tokenize(text));
  const node = parser.parseTop();

  return node;
}

class Parser {
  private index = 0;
  /** Nesting of parseBinary calls, bounded so deep parentheses cannot overflow the call stack. */
  private nesting = 0;

  constructor(private readonly tokens: Token[]) {}

  parseTop(): ExpressionNode {
    if (this.peek().kind === 'end') {
      throw new ExpressionError('expression is empty', 1);
    }

    const node = this.parseBinary(0);
    const next = this.peek();

    if (next.kind !== 'end') {
      throw new ExpressionError(`unexpected ${describe(next)}`, next.position);
    }

    return node;
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  private advance(): Token {
    const token = this.tokens[this.index];

    if (token.kind !== 'end') {
      this.index += 1;
    }

    return token;
  }

  private isKeyword(token: Token, keyword: string): boolean {
    return token.kind === 'identifier' && token.text.toLowerCase() === keyword;
  }

  private expectOperator(operator: string, context: string): Token {
    const token = this.peek();

    if (token.kind !== 'operator' || token.text !== operator) {
      throw new ExpressionError(
        `expected "${operator}" ${context}, found ${describe(token)}`,
        token.position,
      );
    }

    return this.advance();
  }

  /** Parses operators binding tighter than `minPower` (Pratt parsing). */
  private parseBinary(minPower: number): ExpressionNode {
    this.nesting += 1;

    if (this.nesting > MAX_EXPRESSION_DEPTH) {
      throw new ExpressionError(
        `expression nests too deeply (more than ${MAX_EXPRESSION_DEPTH} levels)`,
        this.peek().position,
      );
    }

    let left = this.parsePrefix();

    for (;;) {
      const token = this.peek();
      const infix = this.infixOf(token);

      if (infix === null || infix.power <= minPower) {
        break;
      }

      this.advance();

      if (infix.operator === 'is') {
        left = this.parseIsNull(left, token);
        continue;
      }

      const right = this.parseBinary(infix.power);

      if (infix.power === COMPARISON) {
        const after = this.peek();
        const chained = this.infixOf(after);

        if (chained !== null && chained.power === COMPARISON) {
          throw new ExpressionError(
            `comparisons cannot be chained; combine them with "and"`,
            after.position,
          );
        }
      }

      left = this.makeNode({
        kind: 'binary',
        operator: infix.operator,
        left,
        right,
        position: token.position,
        depth: Math.max(left.depth, right.depth) + 1,
      });
    }

    this.nesting -= 1;

    return left;
  }

  private infixOf(token: Token): { operator: BinaryOperator | 'is'; power: number } | null {
    if (token.kind === 'identifier') {
      const word = token.text.toLowerCase();

      if (word === 'or') {
        return { operator: 'or', power: OR };
      }

      if (word === 'and') {
        return { operator: 'and', power: AND };
      }

      if (word === 'is') {
        return { operator: 'is', power: IS };
      }

      return null;
    }

    if (token.kind !== 'operator') {
      return null;
    }

    const comparison = COMPARISONS[token.text];

    if (comparison !== undefined && Object.hasOwn(COMPARISONS, token.text)) {
      return { operator: comparison, power: COMPARISON };
    }

    switch (token.text) {
      case '||':
        return { operator: '||', power: CONCAT };
      case '+':
      case '-':
        return { operator: token.text, power: ADDITIVE };
      case '*':
      case '/':
      case '%':
        return { operator: token.text, power: MULTIPLICATIVE };
      default:
        return null;
    }
  }

  private parseIsNull(operand: ExpressionNode, isToken: Token): ExpressionNode {
    let negated = false;

    if (this.isKeyword(this.peek(), 'not')) {
      this.advance();
      negated = true;
    }

    const token = this.peek();

    if (!this.isKeyword(token, 'null')) {
      throw new ExpressionError(
        `expected "null" after "is${negated ? ' not' : ''}", found ${describe(token)}`,
        token.position,
      );
    }

    this.advance();

    return this.makeNode({
      kind: 'is-null',
      negated,
      operand,
      position: isToken.position,
      depth: operand.depth + 1,
    });
  }

  private parsePrefix(): ExpressionNode {
    const token = this.advance();

    switch (token.kind) {
      case 'number':
        return { kind: 'number', text: token.text, position: token.position, depth: 1 };
      case 'string':
        return { kind: 'string', value: token.text, position: token.position, depth: 1 };
      case 'quoted-identifier':
        return { kind: 'column', name: token.text, position: token.position, depth: 1 };
      case 'identifier':
        return this.parseWord(token);
      case 'operator':
        return this.parseOperatorPrefix(token);
      case 'end':
        throw new ExpressionError('unexpected end of expression', token.position);
    }
  }

  private parseWord(token: Token): ExpressionNode {
    const word = token.text.toLowerCase();

    if (word === 'true' || word === 'false') {
      return { kind: 'boolean', value: word === 'true', position: token.position, depth: 1 };
    }

    if (word === 'null') {
      return { kind: 'null', position: token.position, depth: 1 };
    }

    if (word === 'not') {
      const operand = this.parseBinary(NOT);

      return this.makeNode({
        kind: 'unary',
        operator: 'not',
        operand,
        position: token.position,
        depth: operand.depth + 1,
      });
    }

    const next = this.peek();

    if (next.kind === 'operator' && next.text === '(') {
      return this.parseCall(token);
    }

    if (KEYWORDS.has(word)) {
      throw new ExpressionError(
        `unexpected keyword "${token.text}"; write a column with this name in double quotes`,
        token.position,
      );
    }

    return { kind: 'column', name: token.text, position: token.position, depth: 1 };
  }

  private parseCall(nameToken: Token): ExpressionNode {
    this.advance();

    const args: ExpressionNode[] = [];

    if (this.peek().kind === 'operator' && this.peek().text === ')') {
      this.advance();
    } else {
      for (;;) {
        args.push(this.parseBinary(0));

        const token = this.peek();

        if (token.kind === 'operator' && token.text === ',') {
          this.advance();
          continue;
        }

        this.expectOperator(')', `to close the arguments of ${nameToken.text}()`);
        break;
      }
    }

    const depth = args.reduce((deepest, arg) => Math.max(deepest, arg.depth), 0) + 1;

    return this.makeNode({
      kind: 'call',
      name: nameToken.text.toLowerCase(),
      args,
      position: nameToken.position,
      depth,
    });
  }

  private parseOperatorPrefix(token: Token): ExpressionNode {
    if (token.text === '(') {
      const inner = this.parseBinary(0);

      this.expectOperator(')', 'to close the parenthesis');

      return inner;
    }

    if (token.text === '-' || token.text === '+') {
      const operand = this.parseBinary(UNARY);

      return this.makeNode({
        kind: 'unary',
        operator: token.text,
        operand,
        position: token.position,
        depth: operand.depth + 1,
      });
    }

    throw new ExpressionError(`unexpected ${describe(token)}`, token.position);
  }

  /** Rejects a tree deeper than the limit, so compiling and evaluating it cannot overflow the stack. */
  private makeNode(node: ExpressionNode): ExpressionNode {
    if (node.depth > MAX_EXPRESSION_DEPTH) {
      throw new ExpressionError(
        `expression nests too deeply (more than ${MAX_EXPRESSION_DEPTH} levels)`,
        node.position,
      );
    }

    return node;
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end of the expression';
    case 'string':
      return `string '${token.text}'`;
    case 'quoted-identifier':
      return `column "${token.text}"`;
    case 'number':
    case 'identifier':
      return `"${token.text}"`;
    case 'operator':
      return `"${token.text}"`;
  }
}
