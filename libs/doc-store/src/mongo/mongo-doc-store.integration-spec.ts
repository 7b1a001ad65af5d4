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

// The compose stack sets MONGO_URL to a real mongod. Without it the suite
// is skipped, and the warning below reports it in non-verbose runs too.
const mongoUrl = process.env.MONGO_URL;
const withMongod = mongoUrl !== undefined && mongoUrl !== '';

if (!withMongod) {
  console.warn('MONGO_URL is not set: the contract suite against a real mongod is skipped.');
}

(withMongod ? describe : describe.skip)(
  `real mongod (${withMongod ? 'MONGO_URL' : 'skipped: MONGO_URL not set'})`,
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
