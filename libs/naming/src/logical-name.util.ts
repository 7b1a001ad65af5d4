import { foldToAscii } from './ascii-fold.util';
import { POSTGRES_RESERVED_WORDS } from './reserved-words';
import { fnv1a32Hex, truncateUtf8, utf8ByteLength } from './utf8.util';

/** PostgreSQL's identifier limit: NAMEDATALEN (64) minus the terminating NUL, in bytes. */
export const MAX_IDENTIFIER_BYTES = 63;

/** Prefix for a name that would start with a digit, which PostgreSQL needs quoted. */
export const DIGIT_PREFIX = 'c_';

/** Suffix for a name equal to a PostgreSQL reserved key word. */
export const RESERVED_WORD_SUFFIX = '_';

/** Separator and hex digits appended to a name cut to fit MAX_IDENTIFIER_BYTES. */
const HASH_SUFFIX_BYTES = 1 + 8;

const LETTER_OR_NUMBER = /^[\p{L}\p{N}]$/u;
const COMBINING_MARK = /^\p{M}$/u;
const LOWERCASE_LETTER = /^\p{Ll}$/u;
const NUMBER = /^\p{N}$/u;
const TRAILING_UNDERSCORES = /_+$/;

/** One character of a header and the text it becomes (itself, or its ASCII folding). */
interface Unit {
  char: string;
  text: string;
}

/**
 * Splits header text into words of letters, numbers and their combining marks.
 * Every other character (space, punctuation, symbol, control, lone surrogate)
 * separates words. Letters and numbers with a plain ASCII equivalent are folded
 * to it, and accents left on a folded letter are dropped.
 */
function splitIntoWords(text: string): Unit[][] {
  const words: Unit[][] = [];
  let word: Unit[] = [];
  let keepsMarks = false;

  for (const char of text.normalize('NFC')) {
    if (LETTER_OR_NUMBER.test(char)) {
      const folded = foldToAscii(char);

      word.push({ char, text: folded ?? char });
      keepsMarks = folded === null;
    } else if (COMBINING_MARK.test(char)) {
      // A mark belongs to the kept non-ASCII letter before it (Devanagari vowel
      // signs, Japanese sound marks). After a folded letter or a separator it is dropped.
      if (keepsMarks) {
        word.push({ char, text: char });
      }
    } else {
      if (word.length > 0) {
        words.push(word);
      }

      word = [];
      keepsMarks = false;
    }
  }

  if (word.length > 0) {
    words.push(word);
  }

  return words;
}

/** Tells whether lower-casing changes `char`, which is never true inside a lowercased name. */
function isUppercase(char: string | undefined): boolean {
  return char !== undefined && char !== char.toLowerCase();
}

function isLowercase(char: string | undefined): boolean {
  return char !== undefined && LOWERCASE_LETTER.test(char);
}

function isNumber(char: string | undefined): boolean {
  return char !== undefined && NUMBER.test(char);
}

/**
 * Splits one word at camelCase boundaries: before an uppercase letter that follows
 * a lowercase one (`fooBar`), and before the last of a run of capitals or digits
 * when a lowercase letter follows it (`HTMLParser`, `Q3Revenue`). Case is read
 * from the original characters, so a folded `Æ` (`AE`) counts as one capital,
 * and marks are skipped when looking at neighbours.
 */
function splitCamelCase(word: readonly Unit[]): string[] {
  const letters = word.filter((unit) => !COMBINING_MARK.test(unit.char)).map((unit) => unit.char);
  const parts: string[] = [];
  let part = '';
  let letterIndex = -1;

  for (const unit of word) {
    if (!COMBINING_MARK.test(unit.char)) {
      letterIndex += 1;

      const previous = letters[letterIndex - 1];
      const next = letters[letterIndex + 1];
      const startsPart =
        isUppercase(unit.char) &&
        (isLowercase(previous) ||
          ((isUppercase(previous) || isNumber(previous)) && isLowercase(next)));

      if (startsPart && part.length > 0) {
        parts.push(part);
        part = '';
      }
    }

    part += unit.text;
  }

  if (part.length > 0) {
    parts.push(part);
  }

  return parts;
}

/** Cuts `name` to `maxBytes` at a character boundary and drops the underscores the cut leaves at the end. */
export function truncateName(name: string, maxBytes: number): string {
  return truncateUtf8(name, maxBytes).replace(TRAILING_UNDERSCORES, '');
}

/**
 * Derives the logical (snake_case) name of one header before duplicates are
 * resolved; `position` is the header's 1-based position, used for blank headers.
 * The steps, in order (the README gives examples):
 * 1. NFC, then fold letters with a plain ASCII form (`é` → `e`, `ß` → `ss`),
 *    keeping other letters (`д`, `λ`, `売`).
 * 2. Split into words at anything that is not a letter, number or combining
 *    mark, and at camelCase boundaries; lower-case; join with `_`.
 * 3. Nothing left → `column_<position>`.
 * 4. Starts with a number → `c_` prefix.
 * 5. Longer than 63 bytes of UTF-8 → cut to 54 bytes at a character boundary,
 *    then `_` and the FNV-1a hash (8 hex digits) of the full header text.
 * 6. Equal to a PostgreSQL reserved key word → `_` suffix.
 */
export function toLogicalName(header: string, position: number): string {
  const lowercased = splitIntoWords(header).flatMap(splitCamelCase).join('_').toLowerCase();
  // Folding again catches letters whose lowercase form has an ASCII spelling
  // though the uppercase one has none (`Ƒ` → `ƒ` → `f`), so a name maps to itself.
  let name = splitIntoWords(lowercased)
    .map((word) => word.map((unit) => unit.text).join(''))
    .join('_')
    .toLowerCase();

  if (name.length === 0) {
    return `column_${position}`;
  }

  if (isNumber(String.fromCodePoint(name.codePointAt(0) ?? 0))) {
    name = `${DIGIT_PREFIX}${name}`;
  }

  if (utf8ByteLength(name) > MAX_IDENTIFIER_BYTES) {
    const kept = truncateName(name, MAX_IDENTIFIER_BYTES - HASH_SUFFIX_BYTES);

    name = `${kept}_${fnv1a32Hex(header)}`;
  }

  if (POSTGRES_RESERVED_WORDS.has(name)) {
    name = `${name}${RESERVED_WORD_SUFFIX}`;
  }

  return name;
}

/**
 * Tells whether `name` is already a logical name: deriving a name from it
 * returns it unchanged. Every name that `deriveColumnNames` returns passes,
 * including `column_<n>` and the `_2`, `_3` duplicate forms.
 */
export function isLogicalName(name: string): boolean {
  return name.length > 0 && toLogicalName(name, 0) === name;
}
