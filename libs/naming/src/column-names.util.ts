import { MAX_IDENTIFIER_BYTES, toLogicalName, truncateName } from './logical-name.util';

/** A column's logical name and its label, the header text exactly as the source had it. */
export interface NamedColumn {
  name: string;
  label: string;
}

/**
 * Returns `base` if it is free, else the first free `base_2`, `base_3`, … (the
 * base cut so the whole stays within 63 bytes), and marks the result as taken.
 */
export function claimUniqueName(base: string, taken: Set<string>): string {
  if (!taken.has(base)) {
    taken.add(base);

    return base;
  }

  for (let counter = 2; ; counter += 1) {
    const suffix = `_${counter}`;
    const candidate = `${truncateName(base, MAX_IDENTIFIER_BYTES - suffix.length)}${suffix}`;

    if (!taken.has(candidate)) {
      taken.add(candidate);

      return candidate;
    }
  }
}

/**
 * Derives one `{ name, label }` per header, in header order. Names follow
 * `toLogicalName` and are unique within the list. The first header with a given
 * name keeps it, and so does a header whose own name is already `x_2`. A later
 * duplicate of `x` then takes the first free `x_2`, `x_3`….
 */
export function deriveColumnNames(headers: readonly string[]): NamedColumn[] {
  const baseNames = headers.map((header, index) => toLogicalName(header, index + 1));
  const taken = new Set<string>();
  const ownsBaseName = baseNames.map((name) => {
    if (taken.has(name)) {
      return false;
    }

    taken.add(name);

    return true;
  });

  return headers.map((label, index) => ({
    name: ownsBaseName[index] ? baseNames[index] : claimUniqueName(baseNames[index], taken),
    label,
  }));
}
