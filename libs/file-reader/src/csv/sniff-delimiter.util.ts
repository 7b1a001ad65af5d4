import { CsvParser } from './csv-parser';

/** The delimiters the reader detects, in the order that breaks a tie. */
export const DELIMITER_CANDIDATES = [',', ';', '\t', '|'] as const;

/** The maximum number of sample records that the detection counts. */
const MAX_SAMPLE_RECORDS = 1000;

interface CandidateScore {
  delimiter: string;
  /** The share of records that have the most common field count. */
  consistency: number;
  /** The most common field count. */
  fields: number;
}

/**
 * Picks the delimiter from a sample of the file: for each candidate it parses
 * the records with quotes honoured, so delimiters inside quoted fields do not
 * count, and finds the most common field count. The candidate whose common
 * count is above 1 and holds for the largest share of records wins, then the
 * one with more fields, then the earlier candidate. A sample in which no
 * candidate splits a record gives ','.
 */
export function sniffDelimiter(sample: string, quote: string, complete: boolean): string {
  let best: CandidateScore | null = null;

  for (const delimiter of DELIMITER_CANDIDATES) {
    if (delimiter === quote) {
      continue;
    }

    const score = scoreCandidate(sample, delimiter, quote, complete);

    if (score.fields > 1 && (best === null || isBetter(score, best))) {
      best = score;
    }
  }

  return best?.delimiter ?? ',';
}

function isBetter(candidate: CandidateScore, best: CandidateScore): boolean {
  if (candidate.consistency !== best.consistency) {
    return candidate.consistency > best.consistency;
  }

  return candidate.fields > best.fields;
}

function scoreCandidate(sample: string, delimiter: string, quote: string, complete: boolean): CandidateScore {
  const fieldCounts: number[] = [];
  const countFields = (fields: (string | null)[]): void => {
    if (fieldCounts.length < MAX_SAMPLE_RECORDS) {
      fieldCounts.push(fields.length);
    }
  };

  const parser = new CsvParser(
    { delimiter, quote, maxRecordLength: Number.MAX_SAFE_INTEGER },
    { record: countFields, malformed: countFields },
  );

  parser.push(sample);

  if (complete) {
    parser.end();
  }

  const frequency = new Map<number, number>();

  for (const count of fieldCounts) {
    frequency.set(count, (frequency.get(count) ?? 0) + 1);
  }

  let fields = 0;
  let occurrences = 0;

  for (const [count, seen] of frequency) {
    if (seen > occurrences || (seen === occurrences && count > fields)) {
      fields = count;
      occurrences = seen;
    }
  }

  return { delimiter, consistency: fieldCounts.length === 0 ? 0 : occurrences / fieldCounts.length, fields };
}
