const NUMBER_LIKE = /^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$/;

function isNumberLike(value: string | null): boolean {
  return value !== null && NUMBER_LIKE.test(value.trim());
}

/**
 * Guesses whether the first record is a header, for `header: 'auto'`. Each
 * column votes. When its values in the other records are all numbers, it votes
 * for a header if the first value is not a number, and against if it is. When
 * they all have one length, it votes for a header if the first value's length
 * differs, and against if not. Other columns do not vote. The first record is a
 * header when the votes for outnumber those against. On a tie it is a header
 * when none of its fields is a number, so a file of text only has a header.
 */
export function looksLikeHeader(records: (string | null)[][]): boolean {
  const [first, ...rest] = records;

  if (first === undefined) {
    return true;
  }

  let votes = 0;

  first.forEach((name, column) => {
    const values = rest.map((record) => record[column] ?? null).filter((value) => value !== null);

    if (values.length === 0) {
      return;
    }

    if (values.every((value) => isNumberLike(value))) {
      votes += isNumberLike(name) ? -1 : 1;

      return;
    }

    const length = values[0].length;

    if (values.every((value) => value.length === length)) {
      votes += (name ?? '').length === length ? -1 : 1;
    }
  });

  return votes > 0 || (votes === 0 && !first.some((name) => isNumberLike(name)));
}
