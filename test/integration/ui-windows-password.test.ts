// Journey 3 through the desktop UI's backend (what the Windows password screen calls over IPC):
// a blob made by openssl for a key pair hosted in the vault decrypts to the password, over IPC
// and in web mode (HTTP), where a key file is taken by content only, never by path.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatchUiCall } from '../../electron/ui/bridge.js';
import { PathTokens } from '../../electron/ui/path-tokens.js';
import { Workspace } from '../../electron/ui/workspace.js';
import { mustTool } from '../helpers/keytools.js';
import { tempDir } from '../helpers/vault.js';

describe('Windows password from the UI backend', () => {
  it('decrypts an openssl-made blob with a hosted key pair over IPC and HTTP, and with a pasted key over HTTP; a path is refused over HTTP', async () => {
    const dir = tempDir('keyhold-ui-winpw-');
    const ws = new Workspace(join(dir, 'vault.db'), { transport: 'ipc', keychain: null, remember: { supported: false }, kdfTargetMs: 10 });
    await ws.create('desktop password');
    try {
      await dispatchUiCall(
        ws,
        'createKeypair',
        { keypair: { name: 'win-server', algorithm: 'SSH_RSA_2048', key_protection: { encryption: { type: 'default' } } } },
        'ipc',
      );
      const exported = (await dispatchUiCall(ws, 'exportPrivateKey', { keypair: { name: 'win-server' }, format: 'pkcs8' }, 'ipc')) as {
        keypair: { private_key: string };
      };
      writeFileSync(join(dir, 'key.pem'), exported.keypair.private_key, { mode: 0o600 });
      mustTool('openssl', ['pkey', '-in', join(dir, 'key.pem'), '-pubout', '-out', join(dir, 'pub.pem')]);
      writeFileSync(join(dir, 'msg'), 'Adm1n-Pässw0rd');
      mustTool('openssl', [
        'pkeyutl',
        '-encrypt',
        '-pubin',
        '-inkey',
        join(dir, 'pub.pem'),
        '-in',
        join(dir, 'msg'),
        '-out',
        join(dir, 'ct'),
        '-pkeyopt',
        'rsa_padding_mode:pkcs1',
      ]);
      const blob = readFileSync(join(dir, 'ct')).toString('base64');

      expect(await dispatchUiCall(ws, 'kpsWindowsPassword', { password_blob: blob, keypair_name: 'win-server' }, 'ipc')).toEqual({
        password: 'Adm1n-Pässw0rd',
      });
      expect(await dispatchUiCall(ws, 'kpsWindowsPassword', { password_blob: blob, keypair_name: 'win-server' }, 'http')).toEqual({
        password: 'Adm1n-Pässw0rd',
      });
      const pasted = readFileSync(join(dir, 'key.pem'), 'utf8');
      expect(await dispatchUiCall(ws, 'kpsWindowsPassword', { password_blob: blob, private_key_text: pasted }, 'http')).toEqual({ password: 'Adm1n-Pässw0rd' });
      // A path names the server's files: refused, naming the field, before anything is read.
      await expect(dispatchUiCall(ws, 'kpsWindowsPassword', { password_blob: blob, private_key: join(dir, 'key.pem') }, 'http')).rejects.toMatchObject({
        code: 'KPS.0002',
        status: 400,
        message: expect.stringContaining('private_key'),
      });
    } finally {
      await ws.lock('user');
    }
  });

  it('with a key file it needs no vault: works while no vault exists, which stays so; a hosted key pair still needs one', async () => {
    const dir = tempDir('keyhold-ui-winpw-offline-');
    const vault = join(dir, 'absent', 'vault.db');
    const ws = new Workspace(vault, { transport: 'ipc', keychain: null, remember: { supported: false }, kdfTargetMs: 10 });
    mustTool('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', join(dir, 'key.pem')]);
    mustTool('openssl', ['pkey', '-in', join(dir, 'key.pem'), '-pubout', '-out', join(dir, 'pub.pem')]);
    writeFileSync(join(dir, 'msg'), 'Offl1ne!');
    mustTool('openssl', [
      'pkeyutl',
      '-encrypt',
      '-pubin',
      '-inkey',
      join(dir, 'pub.pem'),
      '-in',
      join(dir, 'msg'),
      '-out',
      join(dir, 'ct'),
      '-pkeyopt',
      'rsa_padding_mode:pkcs1',
    ]);
    const blob = readFileSync(join(dir, 'ct')).toString('base64');
    // The desktop app names files by the tokens its open dialog gives (electron/ui/path-tokens.ts).
    const paths = new PathTokens();
    const shell = { paths, clipboard: { write: async () => undefined, clear: async () => false }, dialogs: { open: async () => null, save: async () => null } };
    const picked = () => paths.issue(join(dir, 'key.pem'), 'open');
    expect(await dispatchUiCall(ws, 'kpsWindowsPassword', { password_blob: blob, private_key: picked() }, 'ipc', shell)).toEqual({ password: 'Offl1ne!' });
    expect(await dispatchUiCall(ws, 'kpsInspect', { in: picked() }, 'ipc', shell)).toMatchObject({ key_type: 'ssh-rsa', bits: 2048 });
    await expect(dispatchUiCall(ws, 'kpsWindowsPassword', { password_blob: blob, keypair_name: 'win-server' }, 'ipc')).rejects.toMatchObject({
      code: expect.stringMatching(/^VAULT\./),
    });
    expect(existsSync(join(dir, 'absent'))).toBe(false);
  });
});
