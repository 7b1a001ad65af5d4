/** Edit distance between two strings (insertions, deletions and substitutions). */
export function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);

  for (let i = 1; i <= left.length; i += 1) {
    const current = [i];

    for (let j = 1; j <= right.length; j += 1) {
      const substitution = previous[j - 1] + (left[i - 1] === right[j - 1] ? 0 : 1);

      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }

    previous = current;
  }

  return previous[right.length];
}

/**
 * Returns the candidate closest to `name`, or null when none is close. A
 * case-insensitive match wins. Otherwise the smallest edit distance wins, up to
 * a third of the name's length (at least 2), and a prefix of three or more
 * characters counts as distance 1.
 */
export function closestName(name: string, candidates: Iterable<string>): string | null {
  const lower = name.toLowerCase();
  const limit = Math.max(2, Math.floor(name.length / 3));
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;

  for (const candidate of candidates) {
    if (candidate.toLowerCase() === lower) {
      return candidate;
    }

    // Names of very different lengths cannot be within the limit; skip the quadratic distance.
    const prefixOnly = Math.abs(candidate.length - name.length) > limit || name.length > 200;

    if (prefixOnly && !(name.length >= 3 && candidate.toLowerCase().startsWith(lower))) {
      continue;
    }

    const candidateLower = candidate.toLowerCase();
    // A prefix of three or more characters (`int` for `integer`) counts as one edit.
    const isPrefix = lower.length >= 3 && candidateLower.startsWith(lower);
    const distance = isPrefix ? 1 : editDistance(lower, candidateLower);

    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }

  return best;
}

/** Formats `, did you mean "x"?` for an unknown name, or an empty string. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const suggestion = closestName(name, candidates);

  return suggestion === null ? '' : `, did you mean "${suggestion}"?`;
}
