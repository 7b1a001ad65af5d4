// Test helpers for doc-store backends. Kept apart from the library entry
// because they call Jest's globals (describe, it, expect).
// NOTE: only code inside libs/doc-store can import this file (as '../testing').
// A backend in another project needs a "@rokks/doc-store/testing" path in
// tsconfig.base.json and an exception to the lint ban on deep imports.
export {
  type ContractStoreSettings,
  describeDocStoreContract,
  type DocStoreFactory,
} from './contract';
export { expectDocStoreError, readStream, sha256Hex } from './contract-context';
