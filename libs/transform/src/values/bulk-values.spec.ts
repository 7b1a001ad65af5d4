import { type CastOptions, type ColumnType, type Value } from '../types';
import { createCaster, toCopyText } from './index';

/**
 * Casts 100,000 generated values per type and compares each with an
 * independent oracle (JavaScript's Date, JSON and Number). It checks
 * correctness at volume, never speed.
 */
const COUNT = 100_000;

/** Deterministic PRNG (mulberry32), so a failure reproduces. */
function randomSource(seed: number): () => number {
  let state = seed;

  return () => {
    state = (state + 0x6d2b79f5) | 0;

    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);

    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;

    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** Runs the caster over generated [input, expected] pairs and returns the first few mismatches. */
function mismatches(
  type: ColumnType,
  options: CastOptions,
  generate: (random: () => number) => [string, Value],
  seed: number,
): string[] {
  const caster = createCaster(type, options);
  const random = randomSource(seed);
  const found: string[] = [];

  for (let index = 0; index < COUNT && found.length < 5; index++) {
    const [input, expected] = generate(random);
    const result = caster(input);

    if (!result.ok || result.value !== expected) {
      found.push(`${input} → ${result.ok ? String(result.value) : result.reason}, expected ${String(expected)}`);
    }
  }

  return found;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// Date.UTC reads years 0 to 99 as 1900 to 1999, so the year 1 is set on its own.
const MIN_MS = new Date(0).setUTCFullYear(1, 0, 1);
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

function randomInstant(random: () => number): Date {
  const date = new Date(0);

  date.setTime(Math.floor(MIN_MS + random() * (MAX_MS - MIN_MS)));

  return date;
}

function isoDate(date: Date): string {
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}`;
}

function isoTime(date: Date): string {
  return `${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}`;
}

function fractionText(micro: number): string {
  return micro === 0 ? '' : `.${pad(micro, 6)}`.replace(/0+$/, '');
}

describe('casting 100,000 values per type', () => {
  it('integer', () => {
    const found = mismatches(
      'integer',
      {},
      (random) => {
        const high = BigInt(Math.floor(random() * 2 ** 32)) - 2n ** 31n;
        const value = (high << 32n) | BigInt(Math.floor(random() * 2 ** 32));
        const digits = Math.floor(random() * 19);
        const small = BigInt(Math.floor(random() * 10 ** Math.min(digits, 15)));
        const chosen = random() < 0.5 ? value : random() < 0.5 ? small : -small;

        return [chosen.toString(), chosen];
      },
      1,
    );

    expect(found).toEqual([]);
  });

  it('integer with thousands separators', () => {
    const found = mismatches(
      'integer',
      { thousandsSeparator: '.', decimalSeparator: ',' },
      (random) => {
        const value = BigInt(Math.floor(random() * 1e15)) * (random() < 0.5 ? -1n : 1n);
        const text = value.toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.');

        return [text, value];
      },
      2,
    );

    expect(found).toEqual([]);
  });

  it('float', () => {
    const found = mismatches(
      'float',
      {},
      (random) => {
        const value = (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20);

        return [String(value), value === 0 ? 0 : value];
      },
      3,
    );

    expect(found).toEqual([]);
  });

  it('float with decimal commas', () => {
    const found = mismatches(
      'float',
      { decimalSeparator: ',' },
      (random) => {
        const value = Math.round((random() - 0.5) * 1e8) / 1000;

        return [String(value).replace('.', ','), value];
      },
      4,
    );

    expect(found).toEqual([]);
  });

  it('numeric', () => {
    const found = mismatches(
      'numeric',
      {},
      (random) => {
        const integer = String(Math.floor(random() * 1e9)) + String(Math.floor(random() * 1e9));
        const canonicalInteger = integer.replace(/^0+(?=.)/, '');
        const fraction = String(Math.floor(random() * 1e6)).padStart(Math.floor(random() * 4) + 6, '0');
        const negative = random() < 0.5 && /[1-9]/.test(canonicalInteger + fraction);
        const expected = `${negative ? '-' : ''}${canonicalInteger}.${fraction}`;

        return [`${negative ? '-' : '+'}00${integer}.${fraction}`, expected];
      },
      5,
    );

    expect(found).toEqual([]);
  });

  it('boolean', () => {
    const spellings: [string, boolean][] = [
      ['true', true],
      ['t', true],
      ['yes', true],
      ['y', true],
      ['1', true],
      ['on', true],
      ['false', false],
      ['f', false],
      ['no', false],
      ['n', false],
      ['0', false],
      ['off', false],
    ];
    const found = mismatches(
      'boolean',
      {},
      (random) => {
        const [spelling, meaning] = spellings[Math.floor(random() * spellings.length)];
        const cased = [...spelling].map((char) => (random() < 0.5 ? char.toUpperCase() : char)).join('');

        return [cased, meaning];
      },
      6,
    );

    expect(found).toEqual([]);
  });

  it('date in ISO 8601', () => {
    const found = mismatches(
      'date',
      {},
      (random) => {
        const text = isoDate(randomInstant(random));

        return [text, text];
      },
      7,
    );

    expect(found).toEqual([]);
  });

  it('date with dd/MM/yyyy and MMM d yyyy', () => {
    const dayFirst = mismatches(
      'date',
      { format: 'dd/MM/yyyy' },
      (random) => {
        const date = randomInstant(random);
        const text = `${pad(date.getUTCDate(), 2)}/${pad(date.getUTCMonth() + 1, 2)}/${pad(date.getUTCFullYear(), 4)}`;

        return [text, isoDate(date)];
      },
      8,
    );
    const named = mismatches(
      'date',
      { format: 'MMM d yyyy' },
      (random) => {
        const date = randomInstant(random);
        const text = `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()} ${pad(date.getUTCFullYear(), 4)}`;

        return [text, isoDate(date)];
      },
      9,
    );

    expect(dayFirst).toEqual([]);
    expect(named).toEqual([]);
  });

  it('timestamp', () => {
    const found = mismatches(
      'timestamp',
      {},
      (random) => {
        const date = randomInstant(random);
        const micro = random() < 0.3 ? 0 : Math.floor(random() * 1e6);
        const fraction = micro === 0 ? '' : `.${pad(micro, 6)}`;

        return [`${isoDate(date)} ${isoTime(date)}${fraction}`, `${isoDate(date)}T${isoTime(date)}${fractionText(micro)}`];
      },
      10,
    );

    expect(found).toEqual([]);
  });

  it('timestamptz with offsets', () => {
    const found = mismatches(
      'timestamptz',
      {},
      (random) => {
        const utc = new Date(Math.floor(Date.UTC(1900, 0, 1) + random() * (Date.UTC(2100, 0, 1) - Date.UTC(1900, 0, 1))));

        utc.setUTCMilliseconds(0);

        const offsetMinutes = (Math.floor(random() * 57) - 28) * 30;
        const local = new Date(utc.getTime() + offsetMinutes * 60_000);
        const sign = offsetMinutes < 0 ? '-' : '+';
        const offset = `${sign}${pad(Math.floor(Math.abs(offsetMinutes) / 60), 2)}:${pad(Math.abs(offsetMinutes) % 60, 2)}`;
        const micro = Math.floor(random() * 1e6);

        return [
          `${isoDate(local)}T${isoTime(local)}.${pad(micro, 6)}${offset}`,
          `${isoDate(utc)}T${isoTime(utc)}${fractionText(micro)}Z`,
        ];
      },
      11,
    );

    expect(found).toEqual([]);
  });

  it('timestamptz in America/New_York', () => {
    const formatter = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'America/New_York',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    const found = mismatches(
      'timestamptz',
      { timezone: 'America/New_York' },
      (random) => {
        // Skip the hour after each autumn change: its local times also name the earlier instant, which wins.
        let utc: Date;
        let local: string;

        do {
          utc = new Date(Math.floor(Date.UTC(1970, 0, 1) + random() * (Date.UTC(2050, 0, 1) - Date.UTC(1970, 0, 1))));
          utc.setUTCMilliseconds(0);
          local = formatter.format(utc);
        } while (formatter.format(new Date(utc.getTime() - 3_600_000)).slice(11, 13) === local.slice(11, 13));

        return [local, `${isoDate(utc)}T${isoTime(utc)}Z`];
      },
      12,
    );

    expect(found).toEqual([]);
  });

  it('timestamptz from Unix milliseconds', () => {
    const found = mismatches(
      'timestamptz',
      { format: 'epoch_ms' },
      (random) => {
        const date = randomInstant(random);

        return [String(date.getTime()), date.toISOString().replace(/\.000Z$/, 'Z').replace(/(\.\d*?)0+Z$/, '$1Z')];
      },
      13,
    );

    expect(found).toEqual([]);
  });

  it('json', () => {
    const found = mismatches(
      'json',
      {},
      (random) => {
        const document = {
          id: Math.floor(random() * 1e9),
          score: Math.round(random() * 1e6) / 1e3,
          name: `n${Math.floor(random() * 1e6)} "q" \\ é`,
          tags: [random() < 0.5, null, 'x'],
        };

        return [JSON.stringify(document, null, random() < 0.5 ? 2 : 0), JSON.stringify(document)];
      },
      14,
    );

    expect(found).toEqual([]);
  });

  it('text through COPY escaping', () => {
    const alphabet = ['a', 'é', '北', '\t', '\n', '\r', '\\', ' ', 'N', '😀'];
    const random = randomSource(15);
    const caster = createCaster('text');
    const unescape = (text: string): string =>
      text.replace(/\\(.)/g, (_, char: string) => ({ t: '\t', n: '\n', r: '\r' })[char] ?? char);
    let failures = 0;

    for (let index = 0; index < COUNT; index++) {
      const length = Math.floor(random() * 12);
      const text = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      const result = caster(text);
      const copied = toCopyText(result.ok ? result.value : null);

      if (!result.ok || unescape(copied) !== text || /[\t\n\r]/.test(copied)) {
        failures++;
      }
    }

    expect(failures).toBe(0);
  });
});
