import { randomBytes } from 'node:crypto';

import { MongoWireServer } from '@rokks/testing';

import { describeDocStoreContract } from '../testing';
import { MongoDocStore } from './mongo-doc-store';

let server: MongoWireServer;

beforeAll(async () => {
  server = await MongoWireServer.start();
});

afterAll(async () => {
  await server?.close();
});

describeDocStoreContract('mongo on the wire-protocol test server', async ({ maxBlobBytes }) =>
  MongoDocStore.open({
    url: server.url,
    databaseName: 'contract',
    maxBlobBytes,
    recoveryIntervalMs: 0,
  }),
);

// The compose stack sets MONGO_URL to a real mongod; elsewhere the suite shows as skipped.
const mongoUrl = process.env.MONGO_URL;
const describeWithMongod = mongoUrl === undefined || mongoUrl === '' ? describe.skip : describe;

describeWithMongod(
  `real mongod (MONGO_URL${mongoUrl === undefined || mongoUrl === '' ? ' not set' : ''})`,
  () => {
    const databaseName = `rokks_contract_${randomBytes(4).toString('hex')}`;

    describeDocStoreContract('mongo on mongod', async ({ maxBlobBytes }) =>
      MongoDocStore.open({
        url: mongoUrl as string,
        databaseName,
        maxBlobBytes,
        recoveryIntervalMs: 0,
      }),
    );
  },
);
