import { HealthIndicatorService } from '@nestjs/terminus';

import { createLogger, MemoryDestination } from '@rokks/logging';

import { type ServiceContext } from '../service-context';
import { ReadinessChecks } from './readiness-checks';

function createChecks(): { checks: ReadinessChecks; logs: MemoryDestination } {
  const logs = new MemoryDestination();
  const context = {
    logger: createLogger({ service: 'probe', destination: logs }),
  } as unknown as ServiceContext;

  return { checks: new ReadinessChecks(new HealthIndicatorService(), context), logs };
}

describe('ReadinessChecks', () => {
  it('reports a passing check as up with its details', async () => {
    const { checks } = createChecks();

    checks.register('store', () => ({ rows: 5 }));

    const [indicator] = checks.indicatorFunctions();
    const result = await indicator();

    expect(result.store).toMatchObject({ status: 'up', rows: 5 });
  });

  it('reports a thrown error as down', async () => {
    const { checks } = createChecks();

    checks.register('store', async () => {
      throw new Error('connection refused');
    });

    const result = await checks.indicatorFunctions()[0]();

    expect(result.store).toEqual({ status: 'down', message: 'connection refused' });
  });

  it('fails a check that exceeds its timeout', async () => {
    const { checks } = createChecks();

    checks.register('slow', () => new Promise<void>((resolve) => setTimeout(resolve, 1000)), {
      timeoutMs: 20,
    });

    const result = await checks.indicatorFunctions()[0]();

    expect(result.slow).toEqual({ status: 'down', message: 'timed out after 20 ms' });
  });

  it('logs only changes of outcome', async () => {
    const { checks, logs } = createChecks();
    let up = false;

    checks.register('store', () => {
      if (!up) {
        throw new Error('down');
      }
    });

    const [indicator] = checks.indicatorFunctions();

    await indicator();
    await indicator();
    up = true;
    await indicator();
    await indicator();

    expect(logs.records().map((record) => record.msg)).toEqual([
      'readiness check failed',
      'readiness check passed',
    ]);
  });

  it('rejects invalid and duplicate names', () => {
    const { checks } = createChecks();

    checks.register('store', () => undefined);

    expect(() => checks.register('store', () => undefined)).toThrow(/already registered/);
    expect(() => checks.register('Bad Name', () => undefined)).toThrow(
      /Invalid readiness check name/,
    );
    expect(() => checks.register('other', () => undefined, { timeoutMs: 0 })).toThrow(RangeError);
    expect(checks.names()).toEqual(['store']);
  });
});
