import { isLogicalName, toLogicalName } from './logical-name.util';
import { POSTGRES_RESERVED_WORDS } from './reserved-words';
import { fnv1a32Hex, hasLoneSurrogate, utf8ByteLength } from './utf8.util';

describe('toLogicalName', () => {
  describe('snake_case', () => {
    it.each([
      ['Customer Name', 'customer_name'],
      ['customerName', 'customer_name'],
      ['CustomerID', 'customer_id'],
      ['HTMLParser', 'html_parser'],
      ['parseHTML', 'parse_html'],
      ['Q3Revenue', 'q3_revenue'],
      ['MP3Player', 'mp3_player'],
      ['address2', 'address2'],
      ['user.email', 'user_email'],
      ['e-mail', 'e_mail'],
      ['  __Total--Amount__ ', 'total_amount'],
      ['Revenue ($)', 'revenue'],
      ['a\tb\nc', 'a_b_c'],
      ['already_snake_case', 'already_snake_case'],
      ['UPPER_CASE', 'upper_case'],
      ['ИмяКлиента', 'имя_клиента'],
    ])('%p → %p', (header, expected) => {
      expect(toLogicalName(header, 1)).toBe(expected);
    });
  });

  describe('accent folding', () => {
    it.each([
      ['Durée', 'duree'],
      ['e\u0301te\u0301', 'ete'],
      ['Straße', 'strasse'],
      ['GROẞ', 'gross'],
      ['Øre', 'ore'],
      ['Ærø', 'aero'],
      ['Œuvre', 'oeuvre'],
      ['Łódź', 'lodz'],
      ['Đorđe', 'dorde'],
      ['Þór', 'thor'],
      ['ﬁle', 'file'],
      ['ＡＢＣ', 'abc'],
      ['İstanbul', 'istanbul'],
      ['Ça va', 'ca_va'],
      ['Price™', 'price'],
    ])('%p → %p', (header, expected) => {
      expect(toLogicalName(header, 1)).toBe(expected);
    });
  });

  describe('other scripts', () => {
    it.each([
      ['売上高', '売上高'],
      ['がぎぐ', 'がぎぐ'],
      ['Имя клиента', 'имя_клиента'],
      ['Τιμή μονάδας', 'τιμή_μονάδας'],
      ['ΟΔΟΣ', 'οδος'],
      ['हिन्दी', 'हिन्दी'],
      ['Prix 売上', 'prix_売上'],
    ])('%p → %p', (header, expected) => {
      expect(toLogicalName(header, 1)).toBe(expected);
    });

    it('drops a lone surrogate as a separator', () => {
      expect(toLogicalName('ab\uD800cd', 1)).toBe('ab_cd');
    });
  });

  describe('blank headers', () => {
    it.each([
      ['', 1, 'column_1'],
      ['   ', 4, 'column_4'],
      ['---', 2, 'column_2'],
      ['🙂', 7, 'column_7'],
      ['\u0301', 3, 'column_3'],
    ])('%p at position %p → %p', (header, position, expected) => {
      expect(toLogicalName(header, position)).toBe(expected);
    });
  });

  describe('leading digit', () => {
    it.each([
      ['2024 sales', 'c_2024_sales'],
      ['1st', 'c_1st'],
      ['3D Model', 'c_3d_model'],
      ['１st', 'c_1st'],
      ['٣ أيام', 'c_٣_أيام'],
      ['_2x', 'c_2x'],
    ])('%p → %p', (header, expected) => {
      expect(toLogicalName(header, 1)).toBe(expected);
    });
  });

  describe('reserved key words', () => {
    it.each([
      ['select', 'select_'],
      ['Order', 'order_'],
      ['USER', 'user_'],
      ['left', 'left_'],
      ['system_user', 'system_user_'],
      ['Table', 'table_'],
    ])('%p → %p', (header, expected) => {
      expect(toLogicalName(header, 1)).toBe(expected);
    });

    it.each(['year', 'day', 'month', 'filter', 'time', 'values', 'select_count', 'ordered'])(
      'keeps %p',
      (header) => {
        expect(toLogicalName(header, 1)).toBe(header);
      },
    );

    it('suffixes every listed word', () => {
      for (const word of POSTGRES_RESERVED_WORDS) {
        expect(toLogicalName(word, 1)).toBe(`${word}_`);
      }
    });
  });

  describe('63-byte limit', () => {
    it('keeps a name of exactly 63 bytes', () => {
      const header = 'a'.repeat(63);

      expect(toLogicalName(header, 1)).toBe(header);
    });

    it('cuts a 64-byte name and appends the header hash', () => {
      const header = 'a'.repeat(64);

      expect(toLogicalName(header, 1)).toBe(`${'a'.repeat(54)}_${fnv1a32Hex(header)}`);
    });

    it('hashes the original header text', () => {
      const header = `Total ${'x'.repeat(70)}`;

      expect(toLogicalName(header, 1).endsWith(`_${fnv1a32Hex(header)}`)).toBe(true);
    });

    it('keeps two names that share their first 63 bytes apart', () => {
      const stem = 'b'.repeat(63);
      const first = toLogicalName(`${stem}_one`, 1);
      const second = toLogicalName(`${stem}_two`, 1);

      expect(first).not.toBe(second);
      expect(utf8ByteLength(first)).toBe(63);
      expect(utf8ByteLength(second)).toBe(63);
    });

    it('drops underscores left at the cut', () => {
      const header = `${'a'.repeat(53)} ${'b'.repeat(20)}`;

      expect(toLogicalName(header, 1)).toBe(`${'a'.repeat(53)}_${fnv1a32Hex(header)}`);
    });

    it.each([
      ['two-byte letters', 'й'.repeat(40)],
      ['two-byte after one ASCII byte', `x${'й'.repeat(40)}`],
      ['three-byte letters', '売'.repeat(30)],
      ['three-byte after one ASCII byte', `x${'売'.repeat(30)}`],
      ['surrogate pairs', '𠀀'.repeat(20)],
      ['surrogate pairs after one ASCII byte', `x${'𠀀'.repeat(20)}`],
      ['letters with combining marks', 'हि'.repeat(20)],
    ])('never cuts inside a character: %s', (_case, header) => {
      const name = toLogicalName(header, 1);
      const kept = name.slice(0, name.lastIndexOf('_'));

      expect(utf8ByteLength(name)).toBeLessThanOrEqual(63);
      expect(hasLoneSurrogate(name)).toBe(false);
      expect(header.startsWith(kept)).toBe(true);
      expect(utf8ByteLength(kept)).toBeGreaterThan(54 - 4);
      expect(name.endsWith(`_${fnv1a32Hex(header)}`)).toBe(true);
    });
  });
});

describe('isLogicalName', () => {
  it.each([
    'customer_name',
    'c_1st',
    'select_',
    'column_3',
    'email_2',
    'имя_клиента',
    '売上高',
    'year',
  ])('accepts %p', (name) => {
    expect(isLogicalName(name)).toBe(true);
  });

  it.each(['', 'Customer', 'select', '1st', 'a__b', '_a', 'a_', 'é', 'a b', 'a'.repeat(64)])(
    'rejects %p',
    (name) => {
      expect(isLogicalName(name)).toBe(false);
    },
  );
});

describe('toLogicalName on single code points', () => {
  // Planes 3-16 hold only rare CJK extensions, tags and private use, and checking
  // them too would take about 30 s.
  it('maps each code point below U+30000 to a logical name', () => {
    const failures: string[] = [];

    for (let codePoint = 0; codePoint < 0x30000; codePoint += 1) {
      const header = `aB${String.fromCodePoint(codePoint)}Cd`;
      const name = toLogicalName(header, 1);

      if (!isLogicalName(name) || utf8ByteLength(name) > 63 || hasLoneSurrogate(name)) {
        failures.push(`U+${codePoint.toString(16)} → ${JSON.stringify(name)}`);
      }
    }

    expect(failures).toEqual([]);
  }, 30_000);
});
