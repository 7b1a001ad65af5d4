import { SqlEngineError } from '../errors/sql-engine.exception';
import { ConcurrencyLimiter } from './concurrency-limiter';

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });

  return { promise, open };
}

describe('ConcurrencyLimiter', () => {
  it('runs at most the cap per user and queues the rest', async () => {
    const limiter = new ConcurrencyLimiter(2, 10);
    const blocker = gate();
    let running = 0;
    let peak = 0;
    const task = async (): Promise<void> => {
      running += 1;
      peak = Math.max(peak, running);
      await blocker.promise;
      running -= 1;
    };

    const all = Promise.all(Array.from({ length: 6 }, () => limiter.run('alice', task)));

    await new Promise((resolve) => setImmediate(resolve));
    expect(limiter.runningCount('alice')).toBe(2);
    blocker.open();
    await all;
    expect(peak).toBe(2);
    expect(limiter.runningCount('alice')).toBe(0);
  });

  it('lets other users run while one user is at the cap', async () => {
    const limiter = new ConcurrencyLimiter(1, 10);
    const blocker = gate();
    const slow = limiter.run('alice', () => blocker.promise);
    const queued = limiter.run('alice', () => Promise.resolve('late'));

    await expect(limiter.run('bob', () => Promise.resolve('bob ran'))).resolves.toBe('bob ran');
    blocker.open();
    await slow;
    await expect(queued).resolves.toBe('late');
  });

  it('rejects beyond the queue with TOO_MANY_QUERIES', async () => {
    const limiter = new ConcurrencyLimiter(1, 1);
    const blocker = gate();
    const first = limiter.run('alice', () => blocker.promise);
    const second = limiter.run('alice', () => Promise.resolve());
    const third = limiter.run('alice', () => Promise.resolve());

    await expect(third).rejects.toMatchObject({ code: 'TOO_MANY_QUERIES' });
    await expect(third).rejects.toBeInstanceOf(SqlEngineError);
    blocker.open();
    await Promise.all([first, second]);
  });

  it('frees the slot when a task throws', async () => {
    const limiter = new ConcurrencyLimiter(1, 0);

    await expect(limiter.run('alice', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run('alice', () => Promise.resolve(1))).resolves.toBe(1);
  });
});
