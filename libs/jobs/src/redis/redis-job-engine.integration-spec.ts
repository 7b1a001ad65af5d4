import { Redis } from 'ioredis';

import { describeJobEngineContract, expectJobsError } from '../testing';
import { RedisJobEngine } from './redis-job-engine';

const connection = { host: '127.0.0.1', port: 6379 };
const admin = new Redis(connection);

function prefixOf(storeId: string): string {
  return `rokks-jobs-test-${storeId}`;
}

/** Deletes every key under the prefix. */
async function deleteKeys(prefix: string): Promise<void> {
  let cursor = '0';

  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);

    if (keys.length > 0) {
      await admin.del(...keys);
    }

    cursor = next;
  } while (cursor !== '0');
}

afterAll(async () => {
  await admin.quit();
});

describeJobEngineContract('redis', {
  openEngine: async (storeId, options) =>
    RedisJobEngine.open({ ...options, connection, prefix: prefixOf(storeId) }),
  dropStore: async (storeId) => deleteKeys(prefixOf(storeId)),
});

describe('RedisJobEngine keys', () => {
  it('writes only under its prefix', async () => {
    const prefix = prefixOf('keys-only');
    const before = new Set(await admin.keys('*'));
    const engine = await RedisJobEngine.open({ connection, prefix, pollIntervalMs: 20 });

    engine.registerHandler('ETL', async (_job, { log }) => {
      log('hello');

      return Promise.resolve(null);
    });
    await engine.start();
    await engine.submit({ type: 'ETL', idempotencyKey: 'one' });
    await engine.submit({ type: 'INDEX', runAt: new Date(Date.now() + 60_000) });
    await engine.close();

    const added = (await admin.keys('*')).filter((key) => !before.has(key));

    await deleteKeys(prefix);
    expect(added.length).toBeGreaterThan(0);
    expect(added.filter((key) => !key.startsWith(`${prefix}:`))).toEqual([]);
  });

  it('rejects a prefix with a colon', async () => {
    await expectJobsError(RedisJobEngine.open({ connection, prefix: 'a:b' }), 'INVALID_ARGUMENT');
  });
});
