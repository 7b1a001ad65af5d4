import { createJobId, JOB_ID_PATTERN } from './job-id.util';

function timestampOf(id: string): number {
  return Number.parseInt(id.replace(/-/gu, '').slice(0, 12), 16);
}

describe('createJobId', () => {
  it('creates UUID version 7 ids with the time in the first 48 bits', () => {
    const now = Date.UTC(2030, 0, 2, 3, 4, 5, 678);
    const id = createJobId(now);

    expect(id).toMatch(JOB_ID_PATTERN);
    expect(timestampOf(id)).toBe(now);
  });

  it('creates strictly increasing ids within one millisecond', () => {
    const now = Date.UTC(2031, 5, 6);
    const ids = Array.from({ length: 10_000 }, () => createJobId(now));

    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // 4,096 ids fit one millisecond; the rest borrow the following ones.
    expect(timestampOf(ids[4095])).toBe(now);
    expect(timestampOf(ids[4096])).toBe(now + 1);
    expect(ids.every((id) => JOB_ID_PATTERN.test(id))).toBe(true);
  });

  it('never goes back when the clock does', () => {
    const first = createJobId(Date.UTC(2032, 0, 1));
    const second = createJobId(Date.UTC(2031, 0, 1));

    expect(second > first).toBe(true);
  });
});
