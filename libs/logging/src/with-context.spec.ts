import { createLogger } from './create-logger';
import { MemoryDestination } from './testing/memory-destination';
import { withContext } from './with-context';

describe('withContext', () => {
  it('binds the given ids and skips undefined ones', () => {
    const destination = new MemoryDestination();
    const logger = withContext(createLogger({ service: 'worker', destination }), { jobId: 'job-1', tableId: undefined, userId: 'u-7' });

    logger.info('step done');

    const [record] = destination.records();

    expect(record['jobId']).toBe('job-1');
    expect(record['userId']).toBe('u-7');
    expect(record).not.toHaveProperty('tableId');
  });
});
