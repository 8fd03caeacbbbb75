/**
 * The KPS cloud operations through the session (validation, audit, transactions as in
 * production): create and import, hosted private keys sealed under kps/default or a chosen
 * CMK, export in every format, clear, list paging, describe, delete, and the errors.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../electron/core/api/index.js';
import { readKey } from '../../electron/core/keypairs/formats/index.js';
import { sha256Fingerprint } from '../../electron/core/keypairs/key.js';
import { fingerprintIn, mustTool } from '../helpers/keytools.js';
import { newSession, tempDir } from '../helpers/vault.js';

type Json = Record<string, unknown>;
let session: Session;
const dir = tempDir('keyhold-kps-');
const call = (op: string, input: unknown) => session.call('kps', op, input, 'cli') as Promise<Json>;
const kp = (r: Json) => r.keypair as Json;

beforeAll(async () => {
  ({ session } = await newSession());
});

describe('create-keypair', () => {
  it('generates SSH_RSA_2048 by default, returns the private key once and stores none of it', async () => {
    const r = kp(await call('create-keypair', { keypair: { name: 'gen' } }));
    expect(r).toMatchObject({ name: 'gen', type: 'ssh', public_key: expect.stringMatching(/^ssh-rsa AAAA/), fingerprint: expect.stringMatching(/^SHA256:/) });
    expect(r.private_key).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    const parsed = await readKey(r.private_key as string);
    expect(sha256Fingerprint(parsed.publicKey)).toBe(r.fingerprint);
    const detail = kp(await call('list-keypair-detail', { keypair_name: 'gen' }));
    expect(detail).toMatchObject({ name: 'gen', is_key_protection: false, algorithm: 'SSH_RSA_2048', fingerprint: r.fingerprint, frozen_state: 0 });
    await expect(call('export-private-key', { keypair: { name: 'gen' } })).rejects.toMatchObject({ code: 'KPS.7002' });
    const events = session.audit.list({ limit: 10 });
    expect(JSON.stringify(events)).not.toContain((r.private_key as string).split('\n')[1]);
  });

  it('hosts a generated key under kps/default when key_protection is given, and exports it in every format', async () => {
    const r = kp(await call('create-keypair', { keypair: { name: 'hosted', algorithm: 'SSH_ED25519', key_protection: { encryption: { type: 'default' } } } }));
    expect(r.private_key).toBeUndefined();
    const detail = kp(await call('list-keypair-detail', { keypair_name: 'hosted' }));
    expect(detail.is_key_protection).toBe(true);
    const keys = await session.invoke('listKeys', { key_spec: 'ALL' }, 'cli');
    const kpsDefault = keys.key_details.find((k) => k.key_alias === 'kps/default');
    expect(kpsDefault).toBeDefined();
    expect(detail.key_id).toBe(kpsDefault?.key_id);
    const exported = kp(await call('export-private-key', { keypair: { name: 'hosted' } }));
    expect(exported.private_key).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
    for (const format of ['ppk2', 'ppk3', 'openssh', 'pem', 'pkcs8'] as const) {
      const e = kp(await call('export-private-key', { keypair: { name: 'hosted' }, format, new_passphrase: 'exp pass' }));
      const back = await readKey(e.private_key as string, 'exp pass');
      expect(back.encrypted, format).toBe(true);
      expect(sha256Fingerprint(back.publicKey), format).toBe(r.fingerprint);
    }
    const out = join(dir, 'hosted.ppk');
    const inspected = (await call('export-private-key', { keypair: { name: 'hosted' }, format: 'ppk3', out })) as Json;
    expect(inspected).toMatchObject({ format: 'ppk3', fingerprint: r.fingerprint, encrypted: false });
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(fingerprintIn(mustTool('puttygen', ['-l', out]))).toBe(r.fingerprint);
    await call('clear-private-key', { keypair_name: 'hosted' });
    expect(kp(await call('list-keypair-detail', { keypair_name: 'hosted' })).is_key_protection).toBe(false);
    await expect(call('export-private-key', { keypair: { name: 'hosted' } })).rejects.toMatchObject({ code: 'KPS.7002' });
  });

  it('seals under a chosen CMK (kms_key_id) and refuses a disabled one', async () => {
    const cmk = await session.invoke('createKey', { key_alias: 'for-kps' }, 'cli');
    const keyId = cmk.key_info.key_id;
    await call('create-keypair', { keypair: { name: 'cmk', algorithm: 'SSH_ECDSA_256', key_protection: { encryption: { type: 'kms', kms_key_id: keyId } } } });
    expect(kp(await call('list-keypair-detail', { keypair_name: 'cmk' })).key_id).toBe(keyId);
    await session.invoke('disableKey', { key_id: keyId }, 'cli');
    await expect(call('export-private-key', { keypair: { name: 'cmk' } })).rejects.toMatchObject({ code: 'KMS.0209' });
    await session.invoke('enableKey', { key_id: keyId }, 'cli');
    expect(kp(await call('export-private-key', { keypair: { name: 'cmk' } })).private_key).toMatch(/BEGIN EC PRIVATE KEY/);
  });

  it('imports a PuTTYgen "Save public key" (RFC 4716) file and normalises it to one line (seed FAQ 3.3)', async () => {
    const base = join(dir, 'putty-src');
    mustTool('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-C', 'me@desk', '-f', base]);
    const rfc = join(dir, 'putty.pub');
    mustTool('puttygen', [base, '-O', 'public', '-o', rfc]);
    const text = readFileSync(rfc, 'utf8').replace(/\n/g, '\r\n');
    const r = kp(await call('create-keypair', { keypair: { name: 'from-putty', public_key: text } }));
    expect(r.public_key).toBe(readFileSync(`${base}.pub`, 'utf8').trim());
    expect(r.private_key).toBeUndefined();
    expect(r.fingerprint).toBe(fingerprintIn(mustTool('ssh-keygen', ['-l', '-f', `${base}.pub`])));
    // The private key can be hosted later (import-private-key) and must be the matching one.
    const other = join(dir, 'other');
    mustTool('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-f', other]);
    await expect(
      call('import-private-key', {
        keypair: { name: 'from-putty', key_protection: { private_key: readFileSync(other, 'utf8'), encryption: { type: 'default' } } },
      }),
    ).rejects.toMatchObject({ code: 'KPS.7003' });
    writeFileSync(join(dir, 'pf'), 'pp');
    execFileSync('ssh-keygen', ['-p', '-N', 'pp', '-f', base], { stdio: 'ignore' });
    const imported = kp(
      await call('import-private-key', {
        keypair: { name: 'from-putty', key_protection: { private_key: readFileSync(base, 'utf8'), encryption: { type: 'default' } } },
        passphrase: 'pp',
      }),
    );
    expect(imported.fingerprint).toBe(r.fingerprint);
    const exported = kp(await call('export-private-key', { keypair: { name: 'from-putty' } }));
    expect((await readKey(exported.private_key as string)).comment).toBe('');
    expect(exported.private_key).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
  });

  it('imports an encrypted private key made by ssh-keygen with its passphrase, keeps its comment, and never stores or logs the passphrase', async () => {
    const file = join(dir, 'enc_ecdsa');
    mustTool('ssh-keygen', ['-q', '-t', 'ecdsa', '-b', '384', '-N', 'open sesame', '-C', 'ops@bastion', '-f', file]);
    const text = readFileSync(file, 'utf8');
    const protection = (passphrase?: string) => ({ private_key: text, encryption: { type: 'default' }, ...(passphrase === undefined ? {} : { passphrase }) });
    await expect(call('create-keypair', { keypair: { name: 'enc-none', key_protection: protection() } })).rejects.toMatchObject({ code: 'KPS.1002' });
    await expect(call('create-keypair', { keypair: { name: 'enc-wrong', key_protection: protection('not it') } })).rejects.toMatchObject({ code: 'KPS.1003' });
    const r = kp(await call('create-keypair', { keypair: { name: 'enc-ok', key_protection: protection('open sesame') } }));
    expect(r.public_key).toBe(readFileSync(`${file}.pub`, 'utf8').trim());
    expect(r.fingerprint).toBe(fingerprintIn(mustTool('ssh-keygen', ['-lf', `${file}.pub`])));
    expect(kp(await call('list-keypair-detail', { keypair_name: 'enc-ok' })).is_key_protection).toBe(true);
    expect(JSON.stringify(session.audit.list({ limit: 20 }))).not.toContain('open sesame');
  });

  it('refuses a duplicate name (KPS.7004) and a bad name (KPS.0002)', async () => {
    await expect(call('create-keypair', { keypair: { name: 'gen' } })).rejects.toMatchObject({ code: 'KPS.7004', message: "Key pair 'gen' already exists." });
    await expect(call('create-keypair', { keypair: { name: 'bad name' } })).rejects.toMatchObject({ code: 'KPS.0002' });
    await expect(call('create-keypair', {})).rejects.toMatchObject({ code: 'KPS.0001' });
  });
});

describe('batch-import-keypair, list, update, delete', () => {
  it('imports what it can and reports the rest', async () => {
    const base = join(dir, 'batch');
    mustTool('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'b', '-f', base]);
    const pub = readFileSync(`${base}.pub`, 'utf8');
    const r = (await call('batch-import-keypair', {
      keypairs: [
        { keypair: { name: 'b1', public_key: pub } },
        { keypair: { name: 'gen', public_key: pub } },
        { keypair: { name: 'b3', public_key: 'ssh-ed25519 AAAAnotakey' } },
      ],
    })) as { succeeded_keypairs: { keypair: Json }[]; failed_keypairs: { keypair_name: string; failed_reason: string }[] };
    expect(r.succeeded_keypairs.map((s) => s.keypair.name)).toEqual(['b1']);
    expect(r.failed_keypairs.map((f) => f.keypair_name)).toEqual(['gen', 'b3']);
    expect(r.failed_keypairs[0]?.failed_reason).toContain('already exists');
  });

  it('lists by name with limit and marker', async () => {
    const all = (await call('list-keypairs', {})) as { keypairs: { keypair: Json }[]; page_info: Json };
    const names = all.keypairs.map((k) => k.keypair.name as string);
    expect(names).toEqual([...names].sort());
    expect(all.page_info).toEqual({ current_count: names.length });
    const first = (await call('list-keypairs', { limit: 2 })) as { keypairs: { keypair: Json }[]; page_info: Json };
    expect(first.keypairs.map((k) => k.keypair.name)).toEqual(names.slice(0, 2));
    expect(first.page_info.next_marker).toBe(names[1]);
    const second = (await call('list-keypairs', { limit: 2, marker: names[1] })) as { keypairs: { keypair: Json }[] };
    expect(second.keypairs.map((k) => k.keypair.name)).toEqual(names.slice(2, 4));
    expect(first.keypairs[0]?.keypair).toHaveProperty('frozen_state', '0');
  });

  it('updates the description and deletes', async () => {
    await call('update-keypair-description', { keypair_name: 'b1', keypair: { description: 'laptop' } });
    expect(kp(await call('list-keypair-detail', { keypair_name: 'b1' })).description).toBe('laptop');
    await call('delete-keypair', { keypair_name: 'b1' });
    await expect(call('list-keypair-detail', { keypair_name: 'b1' })).rejects.toMatchObject({ code: 'KPS.7001', status: 404 });
    await expect(call('delete-keypair', { keypair_name: 'b1' })).rejects.toMatchObject({ code: 'KPS.7001' });
  });
});
