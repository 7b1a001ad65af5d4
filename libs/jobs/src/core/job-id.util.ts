import { randomBytes } from 'node:crypto';

/** A lowercase UUID version 7 (RFC 9562). */
export const JOB_ID_PATTERN =
  /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/u;

const MAX_COUNTER = 0xfff;

let lastMilliseconds = 0;
let counter = 0;

/**
 * Creates a job id: a UUID version 7 whose 12-bit `rand_a` field is a counter
 * (RFC 9562, section 6.2, method 1), so the ids one process creates are
 * strictly increasing even within a millisecond. Ids of different processes
 * are ordered by their millisecond timestamp only.
 */
export function createJobId(now: number = Date.now()): string {
  if (now > lastMilliseconds) {
    lastMilliseconds = now;
    counter = 0;
  } else if (counter < MAX_COUNTER) {
    counter += 1;
  } else {
    // 4,096 ids in one millisecond: borrow the next millisecond.
    lastMilliseconds += 1;
    counter = 0;
  }

  const bytes = randomBytes(16);

  bytes.writeUIntBE(lastMilliseconds, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8] & 0x3f);

  const hex = bytes.toString('hex');

  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
