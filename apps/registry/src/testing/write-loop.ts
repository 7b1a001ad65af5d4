// Writes to a registry database in a loop until killed, printing
// "committed <n>" after each commit. The crash-safety test runs it in a child
// process and kills it with SIGKILL.
//
// Usage: node -r ts-node/register write-loop.ts <database file> <first index> <master key hex>
import { SecretCipher } from '../crypto/secret-cipher';
import { SecretStore } from '../secrets/secret.store';
import { ConfigStore } from '../settings/config.store';
import { openRegistryDatabase } from '../storage/registry-database';

const [databasePath, firstIndexText, masterKeyHex] = process.argv.slice(2);
const database = openRegistryDatabase(databasePath);
const entries = new ConfigStore(database);
const secrets = new SecretStore(
  database,
  new SecretCipher(Buffer.from(masterKeyHex, 'hex')),
  () => undefined,
);
const padding = 'x'.repeat(2048);

// Each round commits a configuration entry and a secret in one transaction,
// so after a crash either both exist or neither does.
const writeRound = database.transaction((index: number) => {
  entries.set(null, `entry-${index}`, { index, padding });
  secrets.set(`SECRET_${index}`, `value-${index}-${padding}`, ['worker']);
});

for (let index = Number(firstIndexText); ; index += 1) {
  writeRound(index);
  // Standard output is a pipe, which Node writes synchronously on Linux, so
  // the parent never reads a count ahead of the commits.
  process.stdout.write(`committed ${index}\n`);
}
