// Run inside a throwaway D-Bus session with gnome-keyring (test/integration/keychain.test.ts):
// stores, reads and deletes a secret through the OS keychain Keyhold uses outside Electron.
import { OsKeychain } from '../../electron/core/api/index.js';

const keychain = new OsKeychain();
const account = `probe-${process.pid}`;
keychain.set(account, 'device-secret-value');
const read = keychain.get(account);
keychain.delete(account);
process.stdout.write(JSON.stringify({ read, afterDelete: keychain.get(account) }));
