import { daysFromCivil, SECONDS_PER_DAY } from './calendar.util';

/**
 * UTC offsets of one IANA zone, read from `Intl.DateTimeFormat` once per
 * calendar day touched and cached, so converting a value costs a few map
 * look-ups and never builds a Date. A day has either one offset or one
 * transition. Two transitions inside one UTC day would be read as one, and
 * no zone in use today has them.
 */
export class ZoneOffsets {
  private readonly formatter: Intl.DateTimeFormat;
  private readonly days = new Map<number, number | OffsetTransition>();

  constructor(readonly zone: string) {
    this.formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** Returns the zone's offset from UTC, in seconds, at a UTC instant given in seconds. */
  offsetAt(utcSeconds: number): number {
    const day = Math.floor(utcSeconds / SECONDS_PER_DAY);
    let entry = this.days.get(day);

    if (entry === undefined) {
      entry = this.readDay(day);
      this.days.set(day, entry);
    }

    if (typeof entry === 'number') {
      return entry;
    }

    return utcSeconds < entry.at ? entry.before : entry.after;
  }

  /**
   * Converts a local wall-clock time (seconds since 1970-01-01 as if it were
   * UTC) to a UTC instant. Returns null in a gap (the clocks skipped that
   * time); in an overlap (the clocks went back) returns the earlier instant.
   */
  localToUtc(localSeconds: number): number | null {
    const offsetBefore = this.offsetAt(localSeconds - SECONDS_PER_DAY);
    const offsetAfter = this.offsetAt(localSeconds + SECONDS_PER_DAY);
    const utcBefore = localSeconds - offsetBefore;

    if (offsetBefore === offsetAfter) {
      return this.offsetAt(utcBefore) === offsetBefore ? utcBefore : null;
    }

    const utcAfter = localSeconds - offsetAfter;
    const validBefore = this.offsetAt(utcBefore) === offsetBefore;
    const validAfter = this.offsetAt(utcAfter) === offsetAfter;

    if (validBefore && validAfter) {
      return Math.min(utcBefore, utcAfter);
    }

    if (validBefore) {
      return utcBefore;
    }

    return validAfter ? utcAfter : null;
  }

  private readDay(day: number): number | OffsetTransition {
    const start = day * SECONDS_PER_DAY;
    const before = this.readOffset(start);
    const after = this.readOffset(start + SECONDS_PER_DAY);

    if (before === after) {
      return before;
    }

    // Binary search for the first second that has the new offset.
    let low = start;
    let high = start + SECONDS_PER_DAY;

    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);

      if (this.readOffset(middle) === before) {
        low = middle;
      } else {
        high = middle;
      }
    }

    return { at: high, before, after };
  }

  private readOffset(utcSeconds: number): number {
    const parts = this.formatter.formatToParts(new Date(utcSeconds * 1000));
    let year = 0;
    let month = 0;
    let day = 0;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let beforeCommonEra = false;

    for (const part of parts) {
      switch (part.type) {
        case 'year':
          year = Number(part.value);
          break;
        case 'month':
          month = Number(part.value);
          break;
        case 'day':
          day = Number(part.value);
          break;
        case 'hour':
          hour = Number(part.value);
          break;
        case 'minute':
          minute = Number(part.value);
          break;
        case 'second':
          second = Number(part.value);
          break;
        case 'era':
          beforeCommonEra = part.value.startsWith('B');
          break;
        default:
          break;
      }
    }

    if (beforeCommonEra) {
      year = 1 - year;
    }

    const localSeconds = daysFromCivil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second;

    return localSeconds - utcSeconds;
  }
}

interface OffsetTransition {
  /** First UTC second (since 1970) with the `after` offset. */
  at: number;
  before: number;
  after: number;
}

const zones = new Map<string, ZoneOffsets | null>();

const UTC_NAMES = new Set(['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Etc/Universal', 'Universal', 'Etc/Zulu', 'Zulu']);

/**
 * Returns the cached offsets of an IANA zone, or null for UTC itself (the
 * caller then skips the look-up). Throws once for a name the runtime does
 * not know.
 */
export function zoneOffsets(zone: string): ZoneOffsets | null {
  const cached = zones.get(zone);

  if (cached !== undefined) {
    return cached;
  }

  let offsets: ZoneOffsets | null;

  if (UTC_NAMES.has(zone)) {
    offsets = null;
  } else {
    try {
      offsets = new ZoneOffsets(zone);
    } catch {
      throw new Error(`Unknown time zone "${zone}": use an IANA name such as "Europe/Paris" or "UTC".`);
    }
  }

  zones.set(zone, offsets);

  return offsets;
}
