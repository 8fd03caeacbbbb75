// Spawned by test/integration/crash.test.ts: opens the vault and toggles a key's state in a
// tight loop through the same dispatcher the CLI uses, printing a line (synchronously) after
// each write has committed, until it is SIGKILLed.
import { writeSync } from 'node:fs';
import { Session } from '../../electron/core/api/index.js';

const [vault, password, keyId] = process.argv.slice(2) as [string, string, string];
const session = await Session.open(vault, { password });
for (;;) {
  const { key_info } = await session.invoke('describeKey', { key_id: keyId }, 'cli');
  const op = key_info.key_state === '2' ? 'disable-key' : 'enable-key';
  await session.call('kms', op, { key_id: keyId }, 'cli');
  writeSync(1, `${op}\n`);
}
