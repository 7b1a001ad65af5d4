import { type DocStore } from '../doc-store';
import { batchContractTests } from './contract-batch';
import { blobContractTests } from './contract-blobs';
import { createContext } from './contract-context';
import { documentContractTests } from './contract-documents';
import { nameContractTests } from './contract-names';
import { queryContractTests } from './contract-queries';

/** Settings the suite needs the backend to be created with. */
export interface ContractStoreSettings {
  /** Blob size limit in bytes; small, so the limit test stays fast. */
  maxBlobBytes: number;
}

/** Creates the backend under test; called once per suite, and the suite closes it at the end. */
export type DocStoreFactory = (settings: ContractStoreSettings) => Promise<DocStore>;

const CONTRACT_MAX_BLOB_BYTES = 1024 * 1024;

/**
 * Registers the Jest tests that every `DocStore` backend must pass: CRUD,
 * merge, preconditions, every query operator, ordering, paging through
 * 10,000 documents, batch atomicity, blob round trips with checksums and
 * size limits, and the rejection of every invalid name. Tests use unique
 * collection names and blob prefixes, so one backend (or one cloud project)
 * can serve the whole suite, and runs never see each other's data.
 */
export function describeDocStoreContract(name: string, createStore: DocStoreFactory): void {
  describe(`DocStore contract: ${name}`, () => {
    let store: DocStore | undefined;
    const context = createContext(() => {
      if (store === undefined) {
        throw new Error('The backend under test was not created; see the beforeAll error above.');
      }

      return store;
    }, CONTRACT_MAX_BLOB_BYTES);

    beforeAll(async () => {
      store = await createStore({ maxBlobBytes: CONTRACT_MAX_BLOB_BYTES });
    }, 60_000);

    afterAll(async () => {
      await store?.close();
    });

    it('reports healthy', async () => {
      await expect(context.store().checkHealth()).resolves.toBeUndefined();
    });

    documentContractTests(context);
    batchContractTests(context);
    queryContractTests(context);
    blobContractTests(context);
    nameContractTests(context);
  });
}
