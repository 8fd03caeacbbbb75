// Spawned by test/integration/vault-concurrency.test.ts: opens the vault and commits without
// pause (a key toggled, a read-only describe between) through the dispatcher the CLI uses,
// printing one line per committed write, until it has made `max` writes or is killed.
import { writeSync } from 'node:fs';
import { Session } from '../../electron/core/api/index.js';

const [vault, password, keyId, max] = process.argv.slice(2) as [string, string, string, string];
const session = await Session.open(vault, { password });
for (let i = 0; i < Number(max); i++) {
  const { key_info } = await session.invoke('describeKey', { key_id: keyId }, 'cli');
  await session.call('kms', key_info.key_state === '2' ? 'disable-key' : 'enable-key', { key_id: keyId }, 'cli');
  writeSync(1, 'w\n');
}
session.close();
