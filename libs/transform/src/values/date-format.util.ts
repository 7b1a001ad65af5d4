import { checkDate, daysFromCivil, MONTH_NAMES, WEEKDAY_NAMES, weekdayOfDays } from './calendar.util';
import { type DateTimeFields, type DateTimeParser, readFraction } from './date-time-fields';

/**
 * Compiles a date-fns format string (`dd/MM/yyyy`, `MMM d yyyy`,
 * `yyyy-MM-dd'T'HH:mm:ss.SSSXXX`) into a parser that reads one value with
 * a loop over the compiled tokens and no Date objects. The supported tokens
 * and their widths are listed in VALUES.md; anything else throws here, once.
 */

const enum TokenKind {
  Literal,
  Year,
  TwoDigitYear,
  Month,
  MonthShortName,
  MonthLongName,
  Day,
  Hour24,
  Hour12,
  Minute,
  Second,
  Fraction,
  DayPeriod,
  DayPeriodDotted,
  WeekdayShortName,
  WeekdayLongName,
  Offset,
}

const enum OffsetStyle {
  /** `±hh` or `±hhmm` */
  Short,
  /** `±hhmm` */
  Basic,
  /** `±hh:mm` */
  Extended,
}

interface FormatToken {
  kind: TokenKind;
  /** Minimum and maximum number of digits that a numeric token reads. */
  minDigits: number;
  maxDigits: number;
  literal: string;
  offsetStyle: OffsetStyle;
  /** Offsets written with an `X` token may be `Z`; with `x` they may not. */
  allowsZ: boolean;
}

export interface CompiledFormat {
  readonly pattern: string;
  readonly parse: DateTimeParser;
  readonly hasDate: boolean;
  readonly hasTime: boolean;
  readonly hasOffset: boolean;
}

const MONTH_BY_NAME = new Map<string, number>();
const WEEKDAY_BY_NAME = new Map<string, number>();

MONTH_NAMES.forEach((name, index) => {
  MONTH_BY_NAME.set(name.toLowerCase(), index + 1);
  MONTH_BY_NAME.set(name.slice(0, 3).toLowerCase(), index + 1);
});
MONTH_BY_NAME.set('sept', 9);
WEEKDAY_NAMES.forEach((name, index) => {
  WEEKDAY_BY_NAME.set(name.toLowerCase(), index);
  WEEKDAY_BY_NAME.set(name.slice(0, 3).toLowerCase(), index);
});

const HINTS: Record<string, string> = {
  D: 'D is the day of the year in date-fns; use d or dd for the day of the month',
  Y: 'Y is the week-numbering year in date-fns; use y or yyyy for the calendar year',
  T: "letters stand for fields; quote literal text, as in yyyy-MM-dd'T'HH:mm:ss",
  Z: 'use X, XX or XXX for a UTC offset',
  u: 'use y or yyyy for the year',
};

function numeric(kind: TokenKind, minDigits: number, maxDigits: number): FormatToken {
  return { kind, minDigits, maxDigits, literal: '', offsetStyle: OffsetStyle.Short, allowsZ: false };
}

function named(kind: TokenKind): FormatToken {
  return numeric(kind, 0, 0);
}

function offset(style: OffsetStyle, allowsZ: boolean): FormatToken {
  return { kind: TokenKind.Offset, minDigits: 0, maxDigits: 0, literal: '', offsetStyle: style, allowsZ };
}

function unsupported(pattern: string, token: string): Error {
  const hint = HINTS[token[0]] ?? 'see VALUES.md for the supported tokens';

  return new Error(`Invalid date format "${pattern}": token "${token}" is not supported (${hint}).`);
}

/** Maps one run of a repeated letter to its token, or throws. */
function letterToken(pattern: string, letter: string, count: number): FormatToken {
  const token = letter.repeat(count);

  switch (letter) {
    case 'y':
      if (count === 1) {
        return numeric(TokenKind.Year, 1, 4);
      }

      if (count === 2) {
        return numeric(TokenKind.TwoDigitYear, 2, 2);
      }

      if (count === 4) {
        return numeric(TokenKind.Year, 4, 4);
      }

      break;
    case 'M':
    case 'L':
      if (count <= 2) {
        return numeric(TokenKind.Month, count, 2);
      }

      if (count <= 4) {
        return named(count === 3 ? TokenKind.MonthShortName : TokenKind.MonthLongName);
      }

      break;
    case 'd':
      if (count <= 2) {
        return numeric(TokenKind.Day, count, 2);
      }

      break;
    case 'H':
      if (count <= 2) {
        return numeric(TokenKind.Hour24, count, 2);
      }

      break;
    case 'h':
      if (count <= 2) {
        return numeric(TokenKind.Hour12, count, 2);
      }

      break;
    case 'm':
      if (count <= 2) {
        return numeric(TokenKind.Minute, count, 2);
      }

      break;
    case 's':
      if (count <= 2) {
        return numeric(TokenKind.Second, count, 2);
      }

      break;
    case 'S':
      if (count <= 9) {
        return numeric(TokenKind.Fraction, count, count);
      }

      break;
    case 'a':
      if (count <= 3) {
        return named(TokenKind.DayPeriod);
      }

      if (count === 4) {
        return named(TokenKind.DayPeriodDotted);
      }

      break;
    case 'E':
      if (count <= 3) {
        return named(TokenKind.WeekdayShortName);
      }

      if (count === 4) {
        return named(TokenKind.WeekdayLongName);
      }

      break;
    case 'X':
    case 'x':
      if (count <= 3) {
        const styles = [OffsetStyle.Short, OffsetStyle.Basic, OffsetStyle.Extended];

        return offset(styles[count - 1], letter === 'X');
      }

      break;
    default:
      break;
  }

  throw unsupported(pattern, token);
}

/** Splits a format into tokens: letter runs, quoted text ('' is one quote) and other characters. */
function tokenize(pattern: string): FormatToken[] {
  const tokens: FormatToken[] = [];
  let literal = '';
  let index = 0;

  const flushLiteral = (): void => {
    if (literal !== '') {
      tokens.push({ ...named(TokenKind.Literal), literal });
      literal = '';
    }
  };

  while (index < pattern.length) {
    const char = pattern[index];

    if (char === "'") {
      if (pattern[index + 1] === "'") {
        literal += "'";
        index += 2;
        continue;
      }

      const close = pattern.indexOf("'", index + 1);

      if (close < 0) {
        throw new Error(`Invalid date format "${pattern}": a quoted literal is not closed.`);
      }

      literal += pattern.slice(index + 1, close);
      index = close + 1;
      // A doubled quote inside quoted text stands for one quote.
      while (pattern[index] === "'" && pattern[index + 1] !== undefined) {
        const next = pattern.indexOf("'", index + 1);

        if (next < 0) {
          throw new Error(`Invalid date format "${pattern}": a quoted literal is not closed.`);
        }

        literal += `'${pattern.slice(index + 1, next)}`;
        index = next + 1;
      }

      continue;
    }

    if ((char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z')) {
      let end = index + 1;

      while (pattern[end] === char) {
        end++;
      }

      flushLiteral();
      tokens.push(letterToken(pattern, char, end - index));
      index = end;
      continue;
    }

    literal += char;
    index++;
  }

  flushLiteral();

  return tokens;
}

function checkTokens(pattern: string, tokens: FormatToken[]): void {
  const seen = new Set<TokenKind>();

  for (const token of tokens) {
    if (token.kind === TokenKind.Literal) {
      continue;
    }

    const group = fieldGroup(token.kind);

    if (seen.has(group)) {
      throw new Error(`Invalid date format "${pattern}": a field appears twice.`);
    }

    seen.add(group);
  }

  if (seen.has(TokenKind.Hour12) && seen.has(TokenKind.Hour24)) {
    throw new Error(`Invalid date format "${pattern}": it has both a 24-hour (H) and a 12-hour (h) hour.`);
  }

  if (seen.has(TokenKind.Hour12) && !seen.has(TokenKind.DayPeriod)) {
    throw new Error(`Invalid date format "${pattern}": the 12-hour hour (h, hh) needs an AM/PM marker (a).`);
  }

  if (seen.has(TokenKind.DayPeriod) && !seen.has(TokenKind.Hour12)) {
    throw new Error(`Invalid date format "${pattern}": an AM/PM marker (a) needs the 12-hour hour (h, hh), not H.`);
  }
}

/** Tokens that set the same field share a group, so `MMM` and `MM` together are caught. */
function fieldGroup(kind: TokenKind): TokenKind {
  switch (kind) {
    case TokenKind.TwoDigitYear:
      return TokenKind.Year;
    case TokenKind.MonthShortName:
    case TokenKind.MonthLongName:
      return TokenKind.Month;
    case TokenKind.DayPeriodDotted:
      return TokenKind.DayPeriod;
    case TokenKind.WeekdayLongName:
      return TokenKind.WeekdayShortName;
    default:
      return kind;
  }
}

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** Reads `±hh`, `±hhmm` or `±hh:mm` at `index`; returns the end index, or -1. */
function readOffset(text: string, index: number, token: FormatToken, fields: DateTimeFields): number {
  const sign = text.charCodeAt(index);

  if (sign === 90 && token.allowsZ) {
    fields.offset = 0;

    return index + 1;
  }

  if (sign !== 43 && sign !== 45) {
    return -1;
  }

  const hours = readDigits(text, index + 1, 2);
  let minutes = 0;
  let end = index + 3;

  if (hours < 0) {
    return -1;
  }

  if (token.offsetStyle === OffsetStyle.Extended) {
    if (text.charCodeAt(end) !== 58) {
      return -1;
    }

    end++;
  }

  const hasMinutes = token.offsetStyle !== OffsetStyle.Short || isDigit(text.charCodeAt(end));

  if (hasMinutes) {
    minutes = readDigits(text, end, 2);
    end += 2;

    if (minutes < 0) {
      return -1;
    }
  }

  if (hours > 15 || minutes > 59) {
    return -1;
  }

  fields.offset = sign === 45 ? 0 - (hours * 3600 + minutes * 60) : hours * 3600 + minutes * 60;

  return end;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Reads exactly `count` digits at `index`, or returns -1. */
function readDigits(text: string, index: number, count: number): number {
  let value = 0;

  for (let offset = 0; offset < count; offset++) {
    const digit = text.charCodeAt(index + offset) - 48;

    if (digit < 0 || digit > 9) {
      return -1;
    }

    value = value * 10 + digit;
  }

  return value;
}

/** Reads a run of letters at `index` and looks it up (lower-cased); returns [value, end] or null. */
function readName(text: string, index: number, names: Map<string, number>): [number, number] | null {
  let end = index;

  while (end < text.length && isLetter(text.charCodeAt(end))) {
    end++;
  }

  const value = names.get(text.slice(index, end).toLowerCase());

  return value === undefined ? null : [value, end];
}

function readDayPeriod(text: string, index: number, dotted: boolean): [boolean, number] | null {
  const first = text.charCodeAt(index) | 32;

  if (first !== 97 && first !== 112) {
    return null;
  }

  const isAfternoon = first === 112;

  if (dotted) {
    const rest = text.slice(index + 1, index + 4).toLowerCase();

    return rest === '.m.' ? [isAfternoon, index + 4] : null;
  }

  return (text.charCodeAt(index + 1) | 32) === 109 ? [isAfternoon, index + 2] : null;
}

/** Turns a two-digit year into a full one with the POSIX pivot: 69–99 are 1969–1999, 00–68 are 2000–2068. */
function expandTwoDigitYear(value: number): number {
  return value >= 69 ? 1900 + value : 2000 + value;
}

/** Numeric tokens that the fixed-width parser reads; a token of one of these kinds with minDigits === maxDigits has one width. */
const FIXED_WIDTH_KINDS: ReadonlySet<TokenKind> = new Set([
  TokenKind.Year,
  TokenKind.TwoDigitYear,
  TokenKind.Month,
  TokenKind.Day,
  TokenKind.Hour24,
  TokenKind.Minute,
  TokenKind.Second,
  TokenKind.Fraction,
]);

/**
 * Builds the parser of a format made only of literals and fixed-width
 * numbers (`yyyy-MM-dd HH:mm:ss`, `dd/MM/yyyy`), or returns null for any
 * other format. Every value of such a format has one length and each field
 * one position, so the parser checks the length once and reads each field
 * at its offset. It accepts, fills and rejects exactly what the general
 * parser does, with the same message, in fewer steps.
 */
function buildFixedWidthParser(mismatch: string, tokens: FormatToken[]): DateTimeParser | null {
  const literalPositions: number[] = [];
  const literalCodes: number[] = [];
  const fieldKinds: TokenKind[] = [];
  const fieldStarts: number[] = [];
  const fieldWidths: number[] = [];
  let length = 0;

  for (const token of tokens) {
    if (token.kind === TokenKind.Literal) {
      for (let index = 0; index < token.literal.length; index++) {
        literalPositions.push(length + index);
        literalCodes.push(token.literal.charCodeAt(index));
      }

      length += token.literal.length;
      continue;
    }

    if (!FIXED_WIDTH_KINDS.has(token.kind) || token.minDigits !== token.maxDigits) {
      return null;
    }

    fieldKinds.push(token.kind);
    fieldStarts.push(length);
    fieldWidths.push(token.maxDigits);
    length += token.maxDigits;
  }

  const literalCount = literalPositions.length;
  const fieldCount = fieldKinds.length;

  return (text, fields) => {
    if (text.length !== length) {
      return mismatch;
    }

    for (let index = 0; index < literalCount; index++) {
      if (text.charCodeAt(literalPositions[index]) !== literalCodes[index]) {
        return mismatch;
      }
    }

    for (let field = 0; field < fieldCount; field++) {
      const kind = fieldKinds[field];
      const start = fieldStarts[field];

      if (kind === TokenKind.Fraction) {
        if (!readFraction(text, start, fieldWidths[field], fields)) {
          return mismatch;
        }

        continue;
      }

      const end = start + fieldWidths[field];
      let value = 0;

      for (let index = start; index < end; index++) {
        const digit = text.charCodeAt(index) - 48;

        if (digit < 0 || digit > 9) {
          return mismatch;
        }

        value = value * 10 + digit;
      }

      storeNumber(kind, value, fields);
    }

    return null;
  };
}

function buildParser(pattern: string, tokens: FormatToken[], fixedWidth: boolean): DateTimeParser {
  const mismatch = `does not match format "${pattern}"`;
  const fixedWidthParser = fixedWidth ? buildFixedWidthParser(mismatch, tokens) : null;

  if (fixedWidthParser !== null) {
    return fixedWidthParser;
  }

  const count = tokens.length;

  return (text, fields) => {
    const length = text.length;
    let index = 0;
    let isAfternoon = -1;
    let weekday = -1;

    for (let position = 0; position < count; position++) {
      const token = tokens[position];

      switch (token.kind) {
        case TokenKind.Literal: {
          if (!text.startsWith(token.literal, index)) {
            return mismatch;
          }

          index += token.literal.length;
          break;
        }

        case TokenKind.MonthShortName:
        case TokenKind.MonthLongName: {
          const found = readName(text, index, MONTH_BY_NAME);

          if (found === null) {
            return mismatch;
          }

          fields.month = found[0];
          index = found[1];
          break;
        }

        case TokenKind.WeekdayShortName:
        case TokenKind.WeekdayLongName: {
          const found = readName(text, index, WEEKDAY_BY_NAME);

          if (found === null) {
            return mismatch;
          }

          weekday = found[0];
          index = found[1];
          break;
        }

        case TokenKind.DayPeriod:
        case TokenKind.DayPeriodDotted: {
          const found = readDayPeriod(text, index, token.kind === TokenKind.DayPeriodDotted);

          if (found === null) {
            return mismatch;
          }

          isAfternoon = found[0] ? 1 : 0;
          index = found[1];
          break;
        }

        case TokenKind.Offset: {
          index = readOffset(text, index, token, fields);

          if (index < 0) {
            return mismatch;
          }

          break;
        }

        case TokenKind.Fraction: {
          if (!readFraction(text, index, token.maxDigits, fields)) {
            return mismatch;
          }

          index += token.maxDigits;
          break;
        }

        default: {
          let value = 0;
          let digits = 0;

          while (digits < token.maxDigits && index < length) {
            const digit = text.charCodeAt(index) - 48;

            if (digit < 0 || digit > 9) {
              break;
            }

            value = value * 10 + digit;
            digits++;
            index++;
          }

          if (digits < token.minDigits) {
            return mismatch;
          }

          storeNumber(token.kind, value, fields);
        }
      }
    }

    if (index !== length) {
      return mismatch;
    }

    if (isAfternoon >= 0) {
      if (fields.hour < 1 || fields.hour > 12) {
        return `hour ${fields.hour} is out of range for a 12-hour clock (1 to 12)`;
      }

      fields.hour = (fields.hour % 12) + (isAfternoon === 1 ? 12 : 0);
    }

    if (weekday >= 0) {
      const dateProblem = checkDate(fields.year, fields.month, fields.day);

      if (dateProblem !== null) {
        return dateProblem;
      }

      const actual = weekdayOfDays(daysFromCivil(fields.year, fields.month, fields.day));

      if (actual !== weekday) {
        return `the weekday ${WEEKDAY_NAMES[weekday]} does not match the date, a ${WEEKDAY_NAMES[actual]}`;
      }
    }

    return null;
  };
}

function storeNumber(kind: TokenKind, value: number, fields: DateTimeFields): void {
  switch (kind) {
    case TokenKind.Year:
      fields.year = value;
      break;
    case TokenKind.TwoDigitYear:
      fields.year = expandTwoDigitYear(value);
      break;
    case TokenKind.Month:
      fields.month = value;
      break;
    case TokenKind.Day:
      fields.day = value;
      break;
    case TokenKind.Hour24:
    case TokenKind.Hour12:
      fields.hour = value;
      fields.hasTime = true;
      break;
    case TokenKind.Minute:
      fields.minute = value;
      fields.hasTime = true;
      break;
    case TokenKind.Second:
      fields.second = value;
      break;
    default:
      break;
  }
}

/**
 * Compiles a date-fns format; throws with the offending token when it is not
 * supported. `fixedWidth: false` turns off the fixed-width parser, so tests
 * can compare it with the general one.
 */
export function compileDateFormat(pattern: string, fixedWidth = true): CompiledFormat {
  if (pattern.trim() === '') {
    throw new Error('Invalid date format: the format is empty.');
  }

  const tokens = tokenize(pattern);

  checkTokens(pattern, tokens);

  const kinds = new Set(tokens.map((token) => fieldGroup(token.kind)));
  const hasDate = kinds.has(TokenKind.Year) && kinds.has(TokenKind.Month) && kinds.has(TokenKind.Day);

  if (!hasDate) {
    const missing = ['y (year)', 'M (month)', 'd (day)'].filter(
      (_, index) => !kinds.has([TokenKind.Year, TokenKind.Month, TokenKind.Day][index]),
    );

    throw new Error(`Invalid date format "${pattern}": it has no ${missing.join(', ')} token.`);
  }

  return {
    pattern,
    parse: buildParser(pattern, tokens, fixedWidth),
    hasDate,
    hasTime: kinds.has(TokenKind.Hour24) || kinds.has(TokenKind.Hour12),
    hasOffset: kinds.has(TokenKind.Offset),
  };
}
