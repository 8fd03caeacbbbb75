import { describe, expect, it } from 'vitest';
import { Fail, scripted } from '../testing/fake-transport.js';
import { formatLabel, KeyFilesManager, targetsFor } from './key-files.svelte.js';
import { WindowsPasswordManager } from './windows-password.svelte.js';

const info = (over: Record<string, unknown> = {}) => ({
  format: 'ppk3',
  key_type: 'ssh-ed25519',
  bits: 256,
  fingerprint: 'SHA256:abc',
  md5_fingerprint: 'MD5:00',
  comment: 'me',
  encrypted: true,
  public_key: 'ssh-ed25519 AAAA me',
  ...over,
});

describe('KeyFilesManager', () => {
  it('inspects pasted text by content; an encrypted key asks for its passphrase instead of showing an error', async () => {
    const { client, calls } = scripted(
      {
        kpsInspect: () => info(),
        kpsConvert: (i) =>
          i.passphrase
            ? { ...info({ format: 'openssh' }), key_text: '-----BEGIN OPENSSH PRIVATE KEY-----' }
            : new Fail('KPS.1002', 'The private key is encrypted; give its passphrase (--passphrase-file).'),
      },
      'http',
    );
    const kf = new KeyFilesManager(client);
    kf.setText('PuTTY-User-Key-File-3: ssh-ed25519', 'id.ppk');
    await kf.inspect();
    expect(calls[0]).toEqual({ op: 'kpsInspect', input: { key_text: 'PuTTY-User-Key-File-3: ssh-ed25519' } });
    expect(kf.info?.fingerprint).toBe('SHA256:abc');
    kf.to = 'openssh';
    await kf.convert();
    expect(kf.askPassphrase).toBe(true);
    expect(kf.task.error).toBeNull(); // no "--passphrase-file" wording reaches the screen
    kf.passphrase = 'pw';
    await kf.convert();
    expect(calls.at(-1)).toEqual({ op: 'kpsConvert', input: { key_text: 'PuTTY-User-Key-File-3: ssh-ed25519', to: 'openssh', passphrase: 'pw' } });
    expect(kf.converted).toMatchObject({ fileName: 'id.key', text: '-----BEGIN OPENSSH PRIVATE KEY-----' });
    expect(kf.askPassphrase).toBe(false); // the prompt goes once the passphrase worked
    // New text clears everything shown for the old key, passphrase included.
    kf.setText('other');
    expect([kf.info, kf.converted, kf.passphrase, kf.askPassphrase]).toEqual([null, null, '', false]);
  });

  it('sends the passphrase choice: changed or removed', async () => {
    const { client, calls } = scripted({ kpsConvert: () => ({ ...info(), key_text: 'x' }) }, 'http');
    const kf = new KeyFilesManager(client);
    kf.setText('key');
    kf.to = 'pkcs8';
    kf.choice = 'change';
    kf.newPassphrase = 'new';
    await kf.convert();
    expect(calls.at(-1)?.input).toEqual({ key_text: 'key', to: 'pkcs8', new_passphrase: 'new' });
    kf.choice = 'remove';
    await kf.convert();
    expect(calls.at(-1)?.input).toEqual({ key_text: 'key', to: 'pkcs8', no_passphrase: true });
    kf.to = 'public-openssh';
    kf.comment = ' laptop ';
    await kf.convert();
    expect(calls.at(-1)?.input).toEqual({ key_text: 'key', to: 'public-openssh', comment: 'laptop' });
  });

  it('desktop: a file from the open dialog is read by its token, once; the output goes where the save dialog says', async () => {
    const { client, calls } = scripted({
      'dialog.open-file': () => ({ token: 'tok-in', name: 'id_rsa' }),
      'dialog.save-file': (i) => ({ token: 'tok-out', name: String(i.default_name) }),
      kpsInspect: () => info({ format: 'pem', key_type: 'ssh-rsa', encrypted: false }),
      kpsConvert: () => info({ format: 'ppk3', key_type: 'ssh-rsa', encrypted: false }),
    });
    const kf = new KeyFilesManager(client);
    await kf.chooseFile();
    await kf.inspect();
    expect(calls.at(-1)).toEqual({ op: 'kpsInspect', input: { in: 'tok-in' } });
    expect(kf.dialogFile).toBeNull(); // spent
    await kf.chooseFile();
    kf.to = 'ppk3';
    await kf.convert();
    expect(calls.at(-2)).toEqual({ op: 'dialog.save-file', input: { title: 'Save the converted key as', default_name: 'id_rsa.ppk' } });
    expect(calls.at(-1)).toEqual({ op: 'kpsConvert', input: { in: 'tok-in', to: 'ppk3', out: 'tok-out', force: true } });
    expect(kf.converted).toMatchObject({ savedAs: 'id_rsa.ppk' });
    expect(kf.converted?.text).toBeUndefined();
  });

  it('refuses an upload larger than any key file without reading it', async () => {
    const { client, calls } = scripted({});
    const kf = new KeyFilesManager(client);
    await kf.takeFile(new File(['x'.repeat(64 * 1024 + 1)], 'movie.mp4'));
    expect(kf.task.error).toMatch(/movie\.mp4 is 65537 bytes; key files are at most 64 KiB/);
    expect(kf.text).toBe('');
    expect(calls).toEqual([]);
  });

  it('names formats as the tools do and offers only what the key can be written in', () => {
    expect(formatLabel(info({ format: 'pem', key_type: 'ssh-rsa' }))).toBe('PEM, PKCS#1 (RSA PRIVATE KEY)');
    expect(formatLabel(info({ format: 'pem', key_type: 'ecdsa-sha2-nistp256' }))).toBe('PEM, SEC1 (EC PRIVATE KEY)');
    expect(formatLabel(info({ format: 'pkcs8', encrypted: true }))).toBe('PKCS#8 (ENCRYPTED PRIVATE KEY)');
    expect(targetsFor(info({ format: 'public-rfc4716' })).map((f) => f.id)).toEqual(['public-openssh', 'public-rfc4716']);
    expect(targetsFor(info()).map((f) => f.id)).not.toContain('pem');
    expect(targetsFor(info({ key_type: 'ssh-rsa' })).map((f) => f.id)).toContain('pem');
  });
});

describe('KeyFilesManager import, only when asked', () => {
  it('hosts a private key with its passphrase, or imports a public key; nothing is imported by inspect or convert', async () => {
    const { client, calls } = scripted(
      { kpsInspect: () => info(), createKeypair: (i) => ({ keypair: { name: (i.keypair as { name: string }).name } }) },
      'http',
    );
    const kf = new KeyFilesManager(client);
    kf.setText('-----BEGIN OPENSSH PRIVATE KEY-----');
    await kf.inspect();
    expect(calls.map((c) => c.op)).toEqual(['kpsInspect']);
    kf.passphrase = 'pw';
    await kf.importIntoVault('web-prod');
    expect(calls.at(-1)).toEqual({
      op: 'createKeypair',
      input: {
        keypair: {
          name: 'web-prod',
          key_protection: { private_key: '-----BEGIN OPENSSH PRIVATE KEY-----', encryption: { type: 'default' }, passphrase: 'pw' },
        },
      },
    });
    expect(kf.imported).toBe('web-prod');
    kf.setText('ssh-ed25519 AAAAC3Nza me');
    await kf.importIntoVault('laptop');
    expect(calls.at(-1)).toEqual({ op: 'createKeypair', input: { keypair: { name: 'laptop', public_key: 'ssh-ed25519 AAAAC3Nza me' } } });
  });
});

describe('WindowsPasswordManager with a key given as text', () => {
  it('sends the pasted key by content and asks for the passphrase of an encrypted one', async () => {
    const { client, calls } = scripted({
      kpsWindowsPassword: (i) =>
        i.passphrase === 'pw' ? { password: 'Adm1n!' } : new Fail('KPS.1002', 'The private key is encrypted; give its passphrase (--passphrase-file).'),
    });
    const w = new WindowsPasswordManager(client);
    w.blob = 'QUJD\n';
    w.keySource = 'text';
    w.setKeyText('-----BEGIN OPENSSH PRIVATE KEY-----');
    await w.decrypt();
    expect(calls[0]?.input).toEqual({ password_blob: 'QUJD', private_key_text: '-----BEGIN OPENSSH PRIVATE KEY-----' });
    expect(w.askPassphrase).toBe(true);
    expect(w.task.error).toBeNull();
    w.passphrase = 'pw';
    await w.decrypt();
    expect(calls[1]?.input).toEqual({ password_blob: 'QUJD', private_key_text: '-----BEGIN OPENSSH PRIVATE KEY-----', passphrase: 'pw' });
    expect(w.password).toBe('Adm1n!');
    w.onLeave();
    expect([w.keyText, w.passphrase, w.password]).toEqual(['', '', null]);
  });
});
