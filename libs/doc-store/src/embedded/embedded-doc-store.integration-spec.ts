import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describeDocStoreContract } from '../testing';
import { EmbeddedDocStore } from './embedded-doc-store';

const directories: string[] = [];

afterAll(async () => {
  await Promise.all(
    directories.map((directory) => rm(directory, { recursive: true, force: true })),
  );
});

describeDocStoreContract('embedded', async ({ maxBlobBytes }) => {
  const directory = await mkdtemp(join(tmpdir(), 'doc-store-contract-'));

  directories.push(directory);

  return EmbeddedDocStore.open({ directory, maxBlobBytes });
});
