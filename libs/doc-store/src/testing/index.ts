// Test helpers for doc-store backends. Kept apart from the library entry
// because they call Jest's globals (describe, it, expect).
export {
  type ContractStoreSettings,
  describeDocStoreContract,
  type DocStoreFactory,
} from './contract';
export { expectDocStoreError, readStream, sha256Hex } from './contract-context';
