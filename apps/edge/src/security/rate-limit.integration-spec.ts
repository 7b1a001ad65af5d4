import { EdgeTestHarness } from '../testing/edge-test-harness';

describe('edge rate limits', () => {
  let harness: EdgeTestHarness;

  beforeAll(async () => {
    harness = await EdgeTestHarness.start({
      ROKKS_EDGE_RATE_LIMIT_BURST: '5',
      ROKKS_EDGE_USER_REQUESTS_PER_MINUTE: '60',
      ROKKS_EDGE_ANONYMOUS_REQUESTS_PER_MINUTE: '60',
    });
  }, 60_000);

  afterAll(async () => {
    await harness?.dispose();
  });

  it('limits one user and not another', async () => {
    const busy = await harness.sign({ subject: 'busy-user' });
    const statuses: number[] = [];

    for (let index = 0; index < 6; index += 1) {
      statuses.push((await harness.send('GET', '/api/sql/tables', { token: busy })).status);
    }

    const limited = await harness.send('GET', '/api/sql/tables', { token: busy });
    const other = await harness.send('GET', '/api/sql/tables', {
      token: await harness.sign({ subject: 'calm-user' }),
    });

    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.json()).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    expect(other.status).toBe(200);
  });

  it('limits anonymous callers by address', async () => {
    const statuses: number[] = [];

    for (let index = 0; index < 6; index += 1) {
      statuses.push((await harness.send('GET', '/api/health')).status);
    }

    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses[5]).toBe(429);
  });
});
