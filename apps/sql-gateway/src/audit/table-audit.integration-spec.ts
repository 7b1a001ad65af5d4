import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

import { AUDIT_RECORD_FAILED_MESSAGE, type AuditEntryView } from '@rokks/gateway-clients';
import { buildProjects, ServiceProcess } from '@rokks/testing';

import { GatewayTestHarness, readJson } from '../testing/gateway-test-harness';

interface TableBody {
  id: string;
  name: string;
  columns: { id: string; name: string }[];
}

describe('table audit entries', () => {
  let gateway: GatewayTestHarness;
  let buildDir: string | undefined;
  let worker: ServiceProcess | undefined;

  beforeAll(async () => {
    gateway = await GatewayTestHarness.start('pglite');
    buildDir = await buildProjects(['worker']);
    worker = await ServiceProcess.start(gateway.platform, buildDir, 'worker');
  }, 180_000);

  afterAll(async () => {
    await worker?.stop();
    await gateway?.dispose();

    if (buildDir !== undefined) {
      rmSync(buildDir, { recursive: true, force: true });
    }
  });

  async function createTable(name: string): Promise<TableBody> {
    return readJson<TableBody>(
      await gateway.internal('POST', '/internal/tables', {
        body: { name, columns: [{ name: 'city', type: 'text' }, { name: 'height', type: 'integer' }] },
      }),
      201,
    );
  }

  /** Reads the worker's audit log as an admin until entries with this action and target arrive, newest first. */
  async function auditEntriesFor(action: string, target: string): Promise<AuditEntryView[]> {
    for (;;) {
      const response = await gateway.client(`${worker!.meshUrl}/api/audit?action=${action}`, {
        headers: { authorization: `Bearer ${gateway.tokens.admin}` },
      });
      const page = await readJson<{ entries: AuditEntryView[] }>(response, 200);
      const found = page.entries.filter((entry) => entry.target === target);

      if (found.length > 0) {
        return found;
      }

      // The gateway sends entries without waiting for them, so they arrive a little after the response.
      await sleep(100);
    }
  }

  it('records a table rename', async () => {
    const table = await createTable('weather');
    const cityId = table.columns[0].id;

    await readJson(await gateway.call('PATCH', `/api/sql/tables/${table.id}`, { body: { name: 'climate', columns: { [cityId]: 'town' } } }), 200);

    const [entry] = await auditEntriesFor('table.renamed', table.id);

    expect(entry.actor).toBe('editor-1');
    expect(entry.details).toEqual({
      workspace: 'default',
      name: { from: 'weather', to: 'climate' },
      columns: { [cityId]: { from: 'city', to: 'town' } },
    });
  });

  it('records a table drop', async () => {
    const table = await createTable('stations');

    expect((await gateway.call('DELETE', '/api/sql/tables/stations')).status).toBe(204);

    const [entry] = await auditEntriesFor('table.dropped', table.id);

    expect(entry.actor).toBe('editor-1');
    expect(entry.details).toEqual({ workspace: 'default', name: 'stations' });
  });

  it('records nothing for a failed rename', async () => {
    const table = await createTable('rivers');

    await readJson(await gateway.call('PATCH', `/api/sql/tables/${table.id}`, { body: { columns: { f_00000000: 'x' } } }), 404);
    // The entry of this second rename arrives after any entry of the failed one, which sent it first.
    await readJson(await gateway.call('PATCH', `/api/sql/tables/${table.id}`, { body: { name: 'streams' } }), 200);

    const entries = await auditEntriesFor('table.renamed', table.id);

    expect(entries).toHaveLength(1);
    expect(entries[0].details).toEqual({ workspace: 'default', name: { from: 'rivers', to: 'streams' }, columns: {} });
  });

  it('drops a table while the worker is down', async () => {
    const table = await createTable('lakes');

    await worker!.stop();
    worker = undefined;

    expect((await gateway.call('DELETE', `/api/sql/tables/${table.id}`)).status).toBe(204);
    expect((await gateway.call('GET', `/api/sql/tables/${table.id}`)).status).toBe(404);

    const warning = await gateway.platform.logs.waitForRecord(
      (record) => record.msg === AUDIT_RECORD_FAILED_MESSAGE && record.target === table.id,
      60_000,
    );

    expect(warning).toMatchObject({ actor: 'editor-1', action: 'table.dropped', level: 'warn' });
    expect(warning.err).toBeDefined();
  }, 90_000);
});
