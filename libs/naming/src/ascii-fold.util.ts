/**
 * Latin letters that Unicode NFKD leaves whole (no base letter plus accent),
 * with the ASCII spelling used for them. Both cases are listed because folding
 * runs before lower-casing, where case still marks camelCase word boundaries.
 */
const UNDECOMPOSED_LATIN_LETTERS: Readonly<Record<string, string>> = {
  ß: 'ss',
  ẞ: 'SS',
  æ: 'ae',
  Æ: 'AE',
  œ: 'oe',
  Œ: 'OE',
  ø: 'o',
  Ø: 'O',
  đ: 'd',
  Đ: 'D',
  ð: 'd',
  Ð: 'D',
  þ: 'th',
  Þ: 'TH',
  ł: 'l',
  Ł: 'L',
  ħ: 'h',
  Ħ: 'H',
  ı: 'i',
  ŀ: 'l',
  Ŀ: 'L',
  ŧ: 't',
  Ŧ: 'T',
  ŋ: 'ng',
  Ŋ: 'NG',
  ƒ: 'f',
};

const COMBINING_MARKS = /\p{M}/gu;
const ASCII_LETTERS_AND_DIGITS = /^[A-Za-z0-9]+$/;

/**
 * Returns the ASCII letters and digits that stand for one letter or number
 * character (`é` → `e`, `ß` → `ss`, `ﬁ` → `fi`, `Ａ` → `A`, `②` → `2`), keeping
 * its case. Returns null when there is no plain ASCII equivalent (`д`, `λ`,
 * `売`, `が`), and the caller then keeps the character as it is.
 */
export function foldToAscii(char: string): string | null {
  const listed = UNDECOMPOSED_LATIN_LETTERS[char];

  if (listed !== undefined) {
    return listed;
  }

  const base = char.normalize('NFKD').replace(COMBINING_MARKS, '');

  return ASCII_LETTERS_AND_DIGITS.test(base) ? base : null;
}
