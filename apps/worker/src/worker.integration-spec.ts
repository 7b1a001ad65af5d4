import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import { type ClientProxy, ClientProxyFactory } from '@nestjs/microservices';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { firstValueFrom } from 'rxjs';

import { type JobContext, PermanentJobError, WorkerShutdownError } from '@rokks/jobs';
import { microserviceClientOptions } from '@rokks/mesh';
import { type RunningService } from '@rokks/service-kit';
import { type TestMeshClient, TestPlatform, TestTokenIssuer } from '@rokks/testing';

import { type AuditEntry, AuditLog } from './audit/audit-log';
import { AUDIT_PATTERNS } from './audit/audit.controller';
import { JOB_PATTERNS } from './jobs/internal-jobs.controller';
import { JobHandlerRegistry } from './jobs/job-handler-registry';
import { type JobView } from './jobs/job-schemas';
import { WORKER_SERVICE } from './worker-service';
import { type WorkerSettings } from './worker.settings';

/** Payload of the test handler, registered for INDEX jobs. */
interface TestPayload {
  workspace?: string;
  steps?: number;
  stepMs?: number;
  fail?: 'permanent';
  waitForCancel?: boolean;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);

    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    });
  });
}

async function testHandler(
  job: { payload: unknown },
  { signal, reportProgress, log }: JobContext,
): Promise<{ steps: number }> {
  const payload = (job.payload ?? {}) as TestPayload;
  const steps = payload.steps ?? 1;

  log(`running ${steps} steps`);

  if (payload.fail === 'permanent') {
    throw new PermanentJobError('the test handler gave up');
  }

  if (payload.waitForCancel === true) {
    await sleep(60_000, signal);
  }

  for (let step = 1; step <= steps; step += 1) {
    await sleep(payload.stepMs ?? 0, signal);
    reportProgress({ rowsRead: step * 10, rowsLoaded: step * 9, rowsRejected: step });
  }

  return { steps };
}

interface Worker {
  platform: TestPlatform;
  service: RunningService<WorkerSettings>;
  client: TestMeshClient;
  tokens: TestTokenIssuer;
  viewer: string;
  editor: string;
  admin: string;
  call: (method: string, path: string, options?: { token?: string | null; body?: unknown }) => Promise<Response>;
}

async function startWorker(env: Record<string, string>): Promise<Worker> {
  const tokens = TestTokenIssuer.create();
  const platform = await TestPlatform.start({ registryEnv: tokens.registryEnv });
  const service = await platform.startService({
    ...WORKER_SERVICE,
    env: { JOBS_EVENTS_HEARTBEAT_MS: '200', ...env },
  });

  service.app.get(JobHandlerRegistry).register('INDEX', testHandler);

  const client = await platform.meshClient();
  const viewer = await tokens.sign({ roles: ['viewer'], subject: 'viewer-1' });
  const editor = await tokens.sign({ roles: ['editor'], subject: 'editor-1' });
  const admin = await tokens.sign({ roles: ['admin'], subject: 'admin-1' });

  return {
    platform,
    service,
    client,
    tokens,
    viewer,
    editor,
    admin,
    call: async (method, path, options = {}) => {
      const headers: Record<string, string> = {};
      const token = options.token === undefined ? viewer : options.token;

      if (token !== null) {
        headers.authorization = `Bearer ${token}`;
      }

      if (options.body !== undefined) {
        headers['content-type'] = 'application/json';
      }

      const response = await client(`${service.endpoints.meshUrl}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });

      return response as unknown as Response;
    },
  };
}

async function json<T>(response: Response, status: number): Promise<T> {
  const text = await response.text();

  expect([response.status, text]).toEqual([status, expect.anything()]);

  return JSON.parse(text) as T;
}

async function waitForStatus(worker: Worker, id: string, statuses: string[]): Promise<JobView> {
  const deadline = Date.now() + 15_000;

  for (;;) {
    const job = await json<JobView>(await worker.call('GET', `/api/jobs/${id}`), 200);

    if (statuses.includes(job.status) || Date.now() > deadline) {
      return job;
    }

    await sleep(50);
  }
}

async function submit(worker: Worker, body: Record<string, unknown>): Promise<JobView> {
  return json<JobView>(await worker.call('POST', '/internal/jobs', { token: null, body }), 201);
}

/** Reads an event stream to its end; returns the raw text. */
async function readStream(response: Response): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';

  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    text += decoder.decode(chunk, { stream: true });
  }

  return text;
}

function parseEvents(text: string): { event: string; data: Record<string, unknown> }[] {
  return text
    .split('\n\n')
    .filter((frame) => frame.startsWith('event: '))
    .map((frame) => {
      const [eventLine = '', dataLine = ''] = frame.split('\n');

      return {
        event: eventLine.slice('event: '.length),
        data: JSON.parse(dataLine.slice('data: '.length)) as Record<string, unknown>,
      };
    });
}

/** Job API checks that both backends pass. */
function jobApiSuite(getWorker: () => Worker): void {
  it('submits, reads and lists a job', async () => {
    const worker = getWorker();
    const key = `key-${randomBytes(4).toString('hex')}`;
    const job = await submit(worker, {
      type: 'INDEX',
      payload: { steps: 2 },
      idempotencyKey: key,
      actor: 'svc:data-transform',
    });

    expect(job).toMatchObject({ type: 'INDEX', attempts: expect.any(Number) });
    expect(Object.keys(job).sort()).toEqual(
      ['attempts', 'createdAt', 'error', 'finishedAt', 'id', 'progress', 'result', 'startedAt', 'status', 'type'],
    );

    const again = await submit(worker, { type: 'INDEX', payload: { steps: 9 }, idempotencyKey: key });

    expect(again.id).toBe(job.id);

    const done = await waitForStatus(worker, job.id, ['succeeded', 'failed']);

    expect(done).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      progress: { rowsRead: 20, rowsLoaded: 18, rowsRejected: 2 },
      result: { steps: 2 },
      error: null,
    });
    expect(done.finishedAt).not.toBeNull();

    const listed = await json<{ jobs: JobView[] }>(
      await worker.call('GET', '/api/jobs?status=succeeded&type=INDEX&limit=500'),
      200,
    );

    expect(listed.jobs.map((item) => item.id)).toContain(job.id);

    const logs = await json<{ lines: { message: string }[]; total: number }>(
      await worker.call('GET', `/api/jobs/${job.id}/logs`),
      200,
    );

    expect(logs.lines.map((line) => line.message)).toContain('running 2 steps');
  });

  it('cancels a queued and a running job', async () => {
    const worker = getWorker();
    const later = await submit(worker, {
      type: 'INDEX',
      runAt: new Date(Date.now() + 3_600_000).toISOString(),
    });

    expect((await worker.call('POST', `/api/jobs/${later.id}/cancel`)).status).toBe(403);

    const cancelled = await json<JobView>(
      await worker.call('POST', `/api/jobs/${later.id}/cancel`, { token: worker.editor }),
      200,
    );

    expect(cancelled.status).toBe('cancelled');

    const running = await submit(worker, { type: 'INDEX', payload: { waitForCancel: true } });

    await waitForStatus(worker, running.id, ['running']);
    await json(await worker.call('POST', `/api/jobs/${running.id}/cancel`, { token: worker.editor }), 200);
    expect((await waitForStatus(worker, running.id, ['cancelled'])).status).toBe('cancelled');
  });

  it('streams progress and the final status as server-sent events', async () => {
    const worker = getWorker();
    const job = await submit(worker, {
      type: 'INDEX',
      payload: { steps: 4, stepMs: 400 },
      runAt: new Date(Date.now() + 300).toISOString(),
    });
    const response = await worker.call('GET', `/api/jobs/${job.id}/events`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/u);

    const text = await readStream(response);
    const events = parseEvents(text);

    expect(events[0]).toMatchObject({ event: 'job', data: { id: job.id } });
    expect(events.some((event) => event.event === 'progress')).toBe(true);
    expect(events.filter((event) => event.event === 'status').map((event) => event.data.status)).toContain(
      'succeeded',
    );
    expect(events.at(-1)).toMatchObject({
      event: 'job',
      data: { status: 'succeeded', progress: { rowsRead: 40 } },
    });
    expect(text).toContain(': heartbeat\n\n');
  }, 30_000);
}

describe('worker service on SQLite', () => {
  let worker: Worker;
  let rpc: ClientProxy;

  beforeAll(async () => {
    worker = await startWorker({});
    rpc = ClientProxyFactory.create(
      microserviceClientOptions(worker.client.identity, {
        host: '127.0.0.1',
        port: worker.service.endpoints.microservicePort,
      }),
    );
    await rpc.connect();
  }, 60_000);

  afterAll(async () => {
    await rpc?.close();
    await worker?.platform.dispose();
  });

  describe('jobs API', () => {
    jobApiSuite(() => worker);

    it('answers 400, 401, 403 and 404', async () => {
      const cases: [string, string | null, number, string?][] = [
        ['/api/jobs?status=done', worker.viewer, 400, 'status'],
        ['/api/jobs?type=NOPE', worker.viewer, 400, 'type'],
        ['/api/jobs?limit=0', worker.viewer, 400, 'limit'],
        ['/api/jobs?limit=abc', worker.viewer, 400, 'limit'],
        ['/api/jobs?colour=red', worker.viewer, 400],
        ['/api/jobs?cursor=garbage', worker.viewer, 400],
        ['/api/jobs/not-a-job', worker.viewer, 400, 'jobId'],
        ['/api/jobs', null, 401],
        ['/api/jobs/0190b2a4-7c3e-7000-8000-000000000000', worker.viewer, 404],
        ['/api/jobs/0190b2a4-7c3e-7000-8000-000000000000/events', worker.viewer, 404],
        ['/api/audit', worker.editor, 403],
      ];

      for (const [path, token, status, field] of cases) {
        const body = await json<{ statusCode: number; message: string; details?: { field?: string } }>(
          await worker.call('GET', path, { token }),
          status,
        );

        expect(body.statusCode).toBe(status);

        if (field !== undefined) {
          expect([path, body.details?.field]).toEqual([path, field]);
          expect(body.message).toContain(field);
        }
      }
    });

    it('validates submitted jobs', async () => {
      const bad = await json<{ details: { field: string } }>(
        await worker.call('POST', '/internal/jobs', { token: null, body: { type: 'INDEX', priority: -1 } }),
        400,
      );

      expect(bad.details.field).toBe('priority');
      expect(bad.details).toEqual({ code: 'INVALID_ARGUMENT', field: 'priority' });
    });

    it('ends the subscription when the client goes away', async () => {
      const job = await submit(worker, { type: 'INDEX', payload: { waitForCancel: true } });
      const abort = new AbortController();
      const response = await worker.client(`${worker.service.endpoints.meshUrl}/api/jobs/${job.id}/events`, {
        headers: { authorization: `Bearer ${worker.viewer}` },
        signal: abort.signal,
      });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();

      expect(new TextDecoder().decode((await reader.read()).value)).toContain('event: job');
      abort.abort();

      const closed = await worker.platform.logs.waitForRecord(
        (record) => record.msg === 'job event stream closed' && record.jobId === job.id,
        5000,
      );

      expect(closed.reason).toBe('client-gone');
      await json(await worker.call('POST', `/api/jobs/${job.id}/cancel`, { token: worker.editor }), 200);
    });

    it('hides jobs of other workspaces', async () => {
      const job = await submit(worker, { type: 'INDEX', payload: { workspace: 'team-b', steps: 1 } });
      const teamB = await worker.tokens.sign({ roles: ['viewer'], workspace: 'team-b' });

      expect((await worker.call('GET', `/api/jobs/${job.id}`)).status).toBe(404);
      expect((await worker.call('GET', `/api/jobs/${job.id}`, { token: teamB })).status).toBe(200);

      const page = await json<{ jobs: JobView[] }>(await worker.call('GET', '/api/jobs?limit=500'), 200);

      expect(page.jobs.map((item) => item.id)).not.toContain(job.id);
    });

    it('records a failed job in the audit log', async () => {
      const job = await submit(worker, { type: 'INDEX', payload: { fail: 'permanent' } });

      expect((await waitForStatus(worker, job.id, ['failed'])).error).toBe('the test handler gave up');

      const page = await json<{ entries: AuditEntry[] }>(
        await worker.call('GET', '/api/audit?action=job.finished&limit=500', { token: worker.admin }),
        200,
      );

      expect(page.entries.find((entry) => entry.target === job.id)).toMatchObject({
        actor: 'system:worker',
        details: { status: 'failed', error: 'the test handler gave up' },
      });
    });

    it('submits and reads jobs through message patterns', async () => {
      const job = await firstValueFrom(
        rpc.send<JobView>(JOB_PATTERNS.submit, { type: 'INDEX', payload: { steps: 1 } }),
      );

      expect(job.type).toBe('INDEX');
      expect((await firstValueFrom(rpc.send<JobView>(JOB_PATTERNS.get, { jobId: job.id }))).id).toBe(job.id);
      await expect(firstValueFrom(rpc.send(JOB_PATTERNS.submit, { type: 'NOPE' }))).rejects.toMatchObject({
        statusCode: 400,
        details: { field: 'type' },
      });
    });
  });

  describe('shutdown', () => {
    it('releases a running job to the queue', async () => {
      // A second instance on the same data dir shares the job and audit
      // databases; only it runs ALERT jobs, and its handler never ends alone.
      const second = await worker.platform.startService({
        ...WORKER_SERVICE,
        env: { JOBS_SHUTDOWN_GRACE_MS: '300' },
      });
      let aborted: unknown;

      second.app.get(JobHandlerRegistry).register('ALERT', async (_job, { signal }) => {
        await sleep(60_000, signal).catch((error: unknown) => {
          aborted = error;
          throw error;
        });

        return null;
      });

      const job = await submit(worker, { type: 'ALERT' });

      expect((await waitForStatus(worker, job.id, ['running'])).status).toBe('running');

      const events = await worker.client(`${second.endpoints.meshUrl}/api/jobs/${job.id}/events`, {
        headers: { authorization: `Bearer ${worker.viewer}` },
      });
      const started = Date.now();

      await second.close();
      expect(parseEvents(await readStream(events as unknown as Response))[0]).toMatchObject({
        event: 'job',
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(aborted).toBeInstanceOf(WorkerShutdownError);
      expect(await json(await worker.call('GET', `/api/jobs/${job.id}`), 200)).toMatchObject({
        status: 'queued',
        attempts: 0,
      });
      await json(await worker.call('POST', `/api/jobs/${job.id}/cancel`, { token: worker.editor }), 200);
    }, 30_000);
  });

  describe('audit log', () => {
    const run = randomBytes(4).toString('hex');

    it('appends, filters and pages', async () => {
      const since = new Date().toISOString();
      const recorded: AuditEntry[] = [];

      for (let index = 0; index < 5; index += 1) {
        recorded.push(
          await json<AuditEntry>(
            await worker.call('POST', '/internal/audit', {
              token: null,
              body: {
                actor: `user-${run}`,
                action: index % 2 === 0 ? 'table.created' : 'setting.changed',
                target: `t-${index}`,
                details: { index },
              },
            }),
            201,
          ),
        );
      }

      recorded.push(
        await firstValueFrom(
          rpc.send<AuditEntry>(AUDIT_PATTERNS.record, { actor: `user-${run}`, action: 'auth.sign_in' }),
        ),
      );
      expect(recorded.map((entry) => entry.id)).toEqual([...recorded.map((entry) => entry.id)].sort((a, b) => a - b));

      const seen: AuditEntry[] = [];
      let cursor: string | null = null;

      do {
        const query = `/api/audit?actor=user-${run}&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`;
        const page: { entries: AuditEntry[]; nextCursor: string | null } = await json(
          await worker.call('GET', query, { token: worker.admin }),
          200,
        );

        expect(page.entries.length).toBeLessThanOrEqual(2);
        seen.push(...page.entries);
        // An entry appended between two pages does not shift the pages.
        await worker.call('POST', '/internal/audit', {
          token: null,
          body: { actor: `other-${run}`, action: 'table.created' },
        });
        cursor = page.nextCursor;
      } while (cursor !== null);

      expect(seen).toEqual([...recorded].reverse());

      const created = await json<{ entries: AuditEntry[] }>(
        await worker.call('GET', `/api/audit?actor=user-${run}&action=table.created&since=${since}`, {
          token: worker.admin,
        }),
        200,
      );

      expect(created.entries.map((entry) => entry.details)).toEqual([{ index: 4 }, { index: 2 }, { index: 0 }]);

      const future = await json<{ entries: AuditEntry[] }>(
        await worker.call('GET', `/api/audit?since=${new Date(Date.now() + 60_000).toISOString()}`, {
          token: worker.admin,
        }),
        200,
      );

      expect(future.entries).toEqual([]);

      for (const [query, field] of [
        ['since=yesterday', 'since'],
        ['limit=501', 'limit'],
        ['cursor=bm9wZQ', 'cursor'],
      ]) {
        const body = await json<{ details: { field: string } }>(
          await worker.call('GET', `/api/audit?${query}`, { token: worker.admin }),
          400,
        );

        expect(body.details.field).toBe(field);
      }

      const bad = await json<{ details: { field: string } }>(
        await worker.call('POST', '/internal/audit', { token: null, body: { actor: 'a', action: 'Not Valid' } }),
        400,
      );

      expect(bad.details.field).toBe('action');
    });

    it('records job submits and cancels', async () => {
      const job = await submit(worker, {
        type: 'INDEX',
        runAt: new Date(Date.now() + 3_600_000).toISOString(),
        actor: `svc-${run}`,
      });

      await json(await worker.call('POST', `/api/jobs/${job.id}/cancel`, { token: worker.editor }), 200);

      const page = await json<{ entries: AuditEntry[] }>(
        await worker.call('GET', '/api/audit?limit=500', { token: worker.admin }),
        200,
      );
      const mine = page.entries.filter((entry) => entry.target === job.id);

      expect(mine.map((entry) => [entry.action, entry.actor])).toEqual([
        ['job.cancelled', 'editor-1'],
        ['job.submitted', `svc-${run}`],
      ]);
    });

    it('refuses UPDATE and DELETE, except through the retention pruner', () => {
      const file = join(worker.service.context.serviceDataDir, 'audit.db');
      const db = new Database(file);

      try {
        const old = new Date(Date.now() - 400 * 24 * 3_600_000).toISOString();
        const { lastInsertRowid } = db
          .prepare("INSERT INTO audit_log (at, actor, action) VALUES (?, 'old-actor', 'table.created')")
          .run(old);

        expect(() => db.prepare("UPDATE audit_log SET actor = 'mallory'").run()).toThrow(
          /cannot be changed/u,
        );
        expect(() => db.prepare('DELETE FROM audit_log WHERE id = ?').run(lastInsertRowid)).toThrow(
          /cannot be deleted/u,
        );
        expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/cannot be deleted/u);

        const before = db.prepare<[], { count: number }>('SELECT count(*) AS count FROM audit_log').get()?.count ?? 0;

        expect(worker.service.app.get(AuditLog).pruneExpired()).toBe(1);

        const after = db.prepare<[], { count: number }>('SELECT count(*) AS count FROM audit_log').get()?.count ?? 0;

        expect(after).toBe(before - 1);
        expect(db.prepare('SELECT id FROM audit_log WHERE id = ?').get(lastInsertRowid)).toBeUndefined();
        expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/cannot be deleted/u);
      } finally {
        db.close();
      }
    });
  });
});

describe('worker service on Redis', () => {
  const prefix = `rokks-worker-test-${randomBytes(6).toString('hex')}`;
  const admin = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
  let worker: Worker;

  beforeAll(async () => {
    worker = await startWorker({
      JOBS_BACKEND: 'redis',
      REDIS_URL: 'redis://127.0.0.1:6379',
      JOBS_REDIS_PREFIX: prefix,
    });
  }, 60_000);

  afterAll(async () => {
    await worker?.platform.dispose();

    let cursor = '0';

    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);

      if (keys.length > 0) {
        await admin.del(...keys);
      }

      cursor = next;
    } while (cursor !== '0');

    await admin.quit();
  });

  it('reports its backend as ready', async () => {
    const health = await json<{ info: Record<string, { backend?: string }> }>(
      await worker.call('GET', '/health/ready', { token: null }),
      200,
    );

    expect(health.info.jobs?.backend).toBe('redis');
  });

  jobApiSuite(() => worker);
});
