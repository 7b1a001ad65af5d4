import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { type JobEngineOptions } from '../core/engine-settings';
import { type JobEngine } from '../job-engine';
import { type Job, type JobEvent, type JobStatus } from '../job.types';
import { JobsError, type JobsErrorCode } from '../jobs.errors';

/** The backend operations that the contract suite calls. */
export interface ContractBackend {
  /** Opens an engine on the store `storeId`; engines opened with the same id share their jobs. */
  openEngine(storeId: string, options: JobEngineOptions): Promise<JobEngine>;
  /** Deletes the store (file or keys) after its test. */
  dropStore(storeId: string): Promise<void>;
}

/** Short intervals, so the suite runs in seconds; tests override what they measure. */
export const FAST_OPTIONS: JobEngineOptions = {
  leaseMs: 2000,
  heartbeatIntervalMs: 250,
  pollIntervalMs: 20,
  progressIntervalMs: 50,
  defaultMaxAttempts: 3,
  defaultBackoff: { initialDelayMs: 20, maxDelayMs: 200, jitter: 0 },
  shutdownGraceMs: 3000,
};

export const TEST_TIMEOUT_MS = 20_000;

/** The engines and store of the running test. */
export interface ContractContext {
  /** Opens an engine on this test's store with `FAST_OPTIONS` and `options`; the suite closes it after the test. */
  engine(options?: JobEngineOptions): Promise<JobEngine>;
}

export function createContractContext(backend: ContractBackend): ContractContext {
  let storeId = '';
  let engines: JobEngine[] = [];

  beforeEach(() => {
    storeId = `t${randomBytes(6).toString('hex')}`;
    engines = [];
  });

  afterEach(async () => {
    await Promise.all(engines.map(async (engine) => engine.close({ graceMs: 100 })));
    await backend.dropStore(storeId);
  }, TEST_TIMEOUT_MS);

  return {
    engine: async (options = {}) => {
      const engine = await backend.openEngine(storeId, { ...FAST_OPTIONS, ...options });

      engines.push(engine);

      return engine;
    },
  };
}

/** Polls `read` every `intervalMs` until `accept` holds; fails with the last value after `timeoutMs`. */
export async function waitFor<T>(
  read: () => Promise<T> | T,
  accept: (value: T) => boolean,
  description: string,
  timeoutMs = 8000,
  intervalMs = 10,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();

  while (!accept(value)) {
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${description}; last value: ${JSON.stringify(value)}`,
      );
    }

    await sleep(intervalMs);
    value = await read();
  }

  return value;
}

/** Waits until the job has one of `statuses` and returns it. */
export async function waitForStatus(
  engine: JobEngine,
  id: string,
  statuses: JobStatus | JobStatus[],
  timeoutMs?: number,
): Promise<Job> {
  const wanted = Array.isArray(statuses) ? statuses : [statuses];
  const job = await waitFor(
    async () => engine.getJob(id),
    (current) => current !== null && wanted.includes(current.status),
    `job ${id} to be ${wanted.join(' or ')}`,
    timeoutMs,
  );

  return job as Job;
}

/** Awaits a call that must reject with a `JobsError` of `code`; returns the error. */
export async function expectJobsError(
  call: Promise<unknown> | (() => unknown),
  code: JobsErrorCode,
): Promise<JobsError> {
  let outcome: { resolved: true; value: unknown } | { resolved: false; error: unknown };

  try {
    outcome = { resolved: true, value: await (typeof call === 'function' ? call() : call) };
  } catch (error) {
    outcome = { resolved: false, error };
  }

  if (outcome.resolved) {
    throw new Error(`Expected ${code}, but the call returned ${JSON.stringify(outcome.value)}.`);
  }

  expect(outcome.error).toBeInstanceOf(JobsError);
  expect((outcome.error as JobsError).code).toBe(code);

  return outcome.error as JobsError;
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });

  return { promise, resolve };
}

/** Blocks the event loop, as a stuck process would, so no timer (lease renewal included) runs meanwhile. */
export function blockEventLoop(milliseconds: number): void {
  const end = Date.now() + milliseconds;

  while (Date.now() < end) {
    // Busy wait on purpose.
  }
}

/** Resolves after `milliseconds`, or rejects with the signal's reason once it aborts. */
export async function sleepUnlessAborted(milliseconds: number, signal: AbortSignal): Promise<void> {
  await sleep(milliseconds, undefined, { signal }).catch(() => {
    throw signal.reason as Error;
  });
}

/** Collects a job's events until the returned `stop` is called. */
export async function recordEvents(
  engine: JobEngine,
  id: string,
): Promise<{ events: JobEvent[]; stop: () => void }> {
  const events: JobEvent[] = [];
  const stop = await engine.subscribe(id, (event) => events.push(event));

  return { events, stop };
}
