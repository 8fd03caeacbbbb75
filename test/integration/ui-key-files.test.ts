// Web mode's key-file tools over real HTTP (keyhold serve --ui in-process): inspect, convert and
// the Windows password are admitted by content, never by path; ssh-keygen and openssl judge the
// results. A path in any file field is refused naming the field, and nothing is read or written.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UiServer } from '../../electron/server/ui-server.js';
import { dispatchUiCall } from '../../electron/ui/bridge.js';
import { PathTokens } from '../../electron/ui/path-tokens.js';
import { Workspace } from '../../electron/ui/workspace.js';
import { fingerprintIn, mustTool, tool } from '../helpers/keytools.js';
import { tempDir } from '../helpers/vault.js';

let server: Server;
let base: string;
let dir: string;
let cookie: string;

beforeAll(async () => {
  dir = tempDir('keyhold-ui-keyfiles-');
  const root = join(dir, 'ui');
  mkdirSync(root);
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Keyhold</title>');
  const ws = new Workspace(join(dir, 'vault.db'), { transport: 'http', keychain: null, remember: { supported: false, reason: 'web' }, kdfTargetMs: 10 });
  const ui = new UiServer(ws, { staticRoot: root, scheme: 'http' });
  server = createServer(ui.listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  ui.listening('127.0.0.1', port);
  base = `http://127.0.0.1:${port}`;
  const created = await call('session.create', { password: 'web mode password' });
  cookie = created.cookie as string;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function call(op: string, input: unknown, withCookie = true) {
  const res = await fetch(`${base}/keyhold/ui/call`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-keyhold-ui': '1', origin: base, ...(withCookie && cookie ? { cookie } : {}) },
    body: JSON.stringify({ op, input }),
  });
  const setCookie = res.headers.get('set-cookie');
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, cookie: setCookie?.split(';')[0] };
}

describe('key-file tools in web mode (by content over HTTP)', () => {
  it('inspect and convert an ssh-keygen key given as text; ssh-keygen agrees with the results', async () => {
    const key = join(dir, 'id_ed25519');
    mustTool('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'pass123', '-C', 'me@laptop', '-f', key]);
    const text = readFileSync(key, 'utf8');

    const inspected = await call('kpsInspect', { key_text: text });
    expect(inspected.status).toBe(200);
    expect(inspected.body).toMatchObject({ format: 'openssh', key_type: 'ssh-ed25519', encrypted: true });
    expect(inspected.body.fingerprint).toBe(fingerprintIn(mustTool('ssh-keygen', ['-l', '-f', key])));
    expect(inspected.body.md5_fingerprint).toBe(/MD5:[0-9a-f:]{47}/.exec(mustTool('ssh-keygen', ['-l', '-E', 'md5', '-f', key]))?.[0]);

    const converted = await call('kpsConvert', { key_text: text, passphrase: 'pass123', to: 'pkcs8', new_passphrase: 'other pass' });
    expect(converted.status).toBe(200);
    expect(converted.body).toMatchObject({ format: 'pkcs8', encrypted: true });
    const out = join(dir, 'converted.p8');
    writeFileSync(out, converted.body.key_text as string, { mode: 0o600 });
    // openssl opens it with the new passphrase; the raw Ed25519 public key (the last 32 bytes of
    // its DER) is the one inside the blob ssh-keygen derives from the original file.
    const der = execFileSync('openssl', ['pkey', '-in', out, '-passin', 'pass:other pass', '-pubout', '-outform', 'DER']);
    const blob = Buffer.from(mustTool('ssh-keygen', ['-y', '-P', 'pass123', '-f', key]).trim().split(' ')[1] as string, 'base64');
    expect(der.subarray(-32).equals(blob.subarray(-32))).toBe(true);
    expect(tool('openssl', ['pkey', '-in', out, '-passin', 'pass:pass123', '-noout']).ok).toBe(false);
  });

  it('refuses a path in every file field, naming it, and reads or writes nothing', async () => {
    const secret = join(dir, 'secret_key');
    mustTool('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', secret]);
    const copy = join(dir, 'stolen');
    for (const [op, input, fieldName] of [
      ['kpsInspect', { in: secret }, 'in'],
      ['kpsConvert', { in: secret, to: 'pem' }, 'in'],
      ['kpsConvert', { key_text: readFileSync(secret, 'utf8'), to: 'pem', out: copy }, 'out'],
      ['kpsWindowsPassword', { password_blob: 'QUJD', private_key: secret }, 'private_key'],
    ] as const) {
      const r = await call(op, input);
      expect(r.status, `${op} ${fieldName}`).toBe(400);
      expect(r.body.error_code).toBe('KPS.0002');
      expect(r.body.error_msg).toContain(`Invalid parameter ${fieldName}`);
      expect(JSON.stringify(r.body)).not.toContain('OPENSSH PRIVATE KEY');
    }
    expect(existsSync(copy)).toBe(false);
  });

  it('needs the browser session like every UI call', async () => {
    expect((await call('kpsInspect', { key_text: 'ssh-ed25519 AAAA' }, false)).status).toBe(401);
  });

  it('bounds the content and names the field; a hostile KDF cost is a typed refusal', async () => {
    const big = await call('kpsInspect', { key_text: 'A'.repeat(64 * 1024 + 1) });
    expect(big.status).toBe(400);
    expect(big.body).toMatchObject({ error_code: 'KPS.0002' });
    expect(big.body.error_msg).toContain('key_text');
    const ppk = join(dir, 'hostile.ppk');
    mustTool('puttygen', ['--random-device', '/dev/urandom', '-t', 'ed25519', '-o', ppk, '--new-passphrase', passFile('pp')]);
    const hostile = readFileSync(ppk, 'utf8').replace(/Argon2-Memory: \d+/, 'Argon2-Memory: 4194304');
    const r = await call('kpsConvert', { key_text: hostile, passphrase: 'puttygen pass', to: 'openssh' });
    expect(r.body.error_code).toBe('KPS.1005');
    expect(r.body.error_msg).toMatch(/Argon2/);
  });

  it('Windows password from a pasted key and from a hosted key pair; the blob made by openssl', async () => {
    const key = join(dir, 'win.pem');
    mustTool('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key]);
    mustTool('openssl', ['pkey', '-in', key, '-pubout', '-out', join(dir, 'win.pub.pem')]);
    writeFileSync(join(dir, 'msg'), 'W3b-M0de!');
    mustTool('openssl', [
      'pkeyutl',
      '-encrypt',
      '-pubin',
      '-inkey',
      join(dir, 'win.pub.pem'),
      '-in',
      join(dir, 'msg'),
      '-out',
      join(dir, 'ct'),
      '-pkeyopt',
      'rsa_padding_mode:pkcs1',
    ]);
    const blob = readFileSync(join(dir, 'ct')).toString('base64');
    const pasted = await call('kpsWindowsPassword', { password_blob: blob, private_key_text: readFileSync(key, 'utf8') });
    expect(pasted).toMatchObject({ status: 200, body: { password: 'W3b-M0de!' } });

    const pub = mustTool('ssh-keygen', ['-i', '-m', 'PKCS8', '-f', join(dir, 'win.pub.pem')]).trim();
    expect((await call('createKeypair', { keypair: { name: 'win', public_key: pub } })).status).toBe(200);
    expect(
      (
        await call('importPrivateKey', {
          keypair: { name: 'win', key_protection: { private_key: readFileSync(key, 'utf8'), encryption: { type: 'default' } } },
        })
      ).status,
    ).toBe(200);
    const hosted = await call('kpsWindowsPassword', { password_blob: blob, keypair_name: 'win' });
    expect(hosted).toMatchObject({ status: 200, body: { password: 'W3b-M0de!' } });
  });
});

describe('key-file tools in the desktop app (IPC): content in, the output only where the save dialog says', () => {
  it('writes a pasted key to a save-dialog token; a page-made path is refused and nothing is written', async () => {
    const ipcDir = tempDir('keyhold-ipc-keyfiles-');
    const ws = new Workspace(join(ipcDir, 'absent', 'vault.db'), { transport: 'ipc', keychain: null, remember: { supported: false }, kdfTargetMs: 10 });
    const paths = new PathTokens();
    const shell = { paths, clipboard: { write: async () => undefined, clear: async () => false }, dialogs: { open: async () => null, save: async () => null } };
    mustTool('ssh-keygen', ['-q', '-t', 'ecdsa', '-b', '384', '-N', '', '-C', 'ipc@test', '-f', join(ipcDir, 'id_ecdsa')]);
    const text = readFileSync(join(ipcDir, 'id_ecdsa'), 'utf8');
    const made = join(ipcDir, '.bashrc');
    await expect(dispatchUiCall(ws, 'kpsConvert', { key_text: text, to: 'ppk3', out: made }, 'ipc', shell)).rejects.toMatchObject({
      code: 'KPS.0002',
      message: expect.stringContaining('Invalid parameter out'),
    });
    expect(existsSync(made)).toBe(false);
    const target = join(ipcDir, 'id_ecdsa.ppk');
    const r = (await dispatchUiCall(ws, 'kpsConvert', { key_text: text, to: 'ppk3', out: paths.issue(target, 'save'), force: true }, 'ipc', shell)) as Record<
      string,
      unknown
    >;
    expect(r).toMatchObject({ format: 'ppk3', key_type: 'ecdsa-sha2-nistp384', comment: 'ipc@test' });
    expect(r.key_text).toBeUndefined(); // written, not sent back to the page
    // puttygen reads what was written and derives ssh-keygen's public key.
    const fromPutty = mustTool('puttygen', [target, '-O', 'public-openssh']).trim().split(' ').slice(0, 2).join(' ');
    expect(fromPutty).toBe(
      mustTool('ssh-keygen', ['-y', '-f', join(ipcDir, 'id_ecdsa')])
        .trim()
        .split(' ')
        .slice(0, 2)
        .join(' '),
    );
    expect(existsSync(join(ipcDir, 'absent'))).toBe(false); // no vault needed, none made
  });
});

function passFile(passphrase: string): string {
  const f = join(dir, `pass-${passphrase}`);
  writeFileSync(f, 'puttygen pass');
  return f;
}
