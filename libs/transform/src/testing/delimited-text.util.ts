/**
 * A small reader of delimited text for spec files that profile real data
 * sets. It is test support only (the library does not export it): a
 * leading byte order mark is dropped, records end with LF or CRLF,
 * fields may be quoted with doubled quotes inside, and quoted fields may
 * hold line breaks. An empty unquoted field is null and an empty quoted
 * field is '', the distinction PostgreSQL's COPY makes. A record with the
 * wrong number of fields is returned as it is, for the caller to check.
 */
export interface DelimitedTable {
  columns: string[];
  rows: (string | null)[][];
}

export function readDelimitedText(text: string, delimiter = ','): DelimitedTable {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new Error(`Invalid delimiter ${JSON.stringify(delimiter)}: use one character other than a quote or a line break.`);
  }

  const records = readRecords(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, delimiter);
  const header = records.shift() ?? [];

  return { columns: header.map((name) => name ?? ''), rows: records };
}

function readRecords(text: string, delimiter: string): (string | null)[][] {
  const records: (string | null)[][] = [];
  const length = text.length;
  let record: (string | null)[] = [];
  let index = 0;

  while (index < length) {
    let field: string | null;

    if (text[index] === '"') {
      let value = '';
      let start = index + 1;

      index = start;

      for (;;) {
        const quote = text.indexOf('"', index);

        if (quote < 0) {
          throw new Error(`A quoted field that starts at character ${start} is not closed.`);
        }

        if (text[quote + 1] === '"') {
          value += text.slice(start, quote + 1);
          index = quote + 2;
          start = index;
          continue;
        }

        value += text.slice(start, quote);
        index = quote + 1;
        break;
      }

      const next = text[index];

      if (index < length && next !== delimiter && next !== '\n' && next !== '\r') {
        throw new Error(`Unexpected text after a closing quote at character ${index + 1}.`);
      }

      field = value;
    } else {
      let end = index;

      while (end < length && text[end] !== delimiter && text[end] !== '\n' && text[end] !== '\r') {
        end++;
      }

      field = end === index ? null : text.slice(index, end);
      index = end;
    }

    record.push(field);

    if (index < length && text[index] === delimiter) {
      index++;

      if (index === length) {
        record.push(null);
      }

      continue;
    }

    if (text[index] === '\r' && text[index + 1] === '\n') {
      index++;
    }

    index++;
    records.push(record);
    record = [];

    // Blank lines between records are skipped.
    while (index < length && (text[index] === '\n' || (text[index] === '\r' && text[index + 1] === '\n'))) {
      index += text[index] === '\r' ? 2 : 1;
    }
  }

  if (record.length > 0) {
    records.push(record);
  }

  return records;
}
