// One test per `Precondition` comment in the core (issue 18): every comment that states a
// precondition is named in PRECONDITIONS below by its file and its own words, and each row runs
// the operation that breaks it through a real session, expecting the code the comment promises.
// A new precondition comment without a row, or a row whose comment went away, fails the first test.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../../electron/core/api/index.js';
import { newSession, tempDir } from '../../helpers/vault.js';

let session: Session;

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'not refused';
}

let aliases = 0;
async function key(spec = 'AES_256', usage?: 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY' | 'GENERATE_VERIFY_MAC', origin: 'kms' | 'external' = 'kms'): Promise<string> {
  aliases += 1;
  const input = { key_alias: `pre-${aliases}`, key_spec: spec, origin, ...(usage ? { key_usage: usage } : {}) };
  return (await session.invoke('createKey', input as never, 'cli')).key_info.key_id;
}

async function pendingDeletion(id: string): Promise<void> {
  await session.invoke('scheduleKeyDeletion', { key_id: id, pending_days: '7' }, 'cli');
}

let secrets = 0;
async function secret(): Promise<string> {
  secrets += 1;
  const name = `pre-secret-${secrets}`;
  await session.invoke('createSecret', { name, secret_string: 'v1' }, 'cli');
  return name;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** SoftHSM2's module (Debian's softhsm2, which CI installs); the key-store row needs a real token. */
const SOFTHSM = '/usr/lib/softhsm/libsofthsm2.so';

/** A PKCS#11 key store on a fresh SoftHSM2 token, disabled. */
async function disabledSoftHsmStore(): Promise<string> {
  const dir = tempDir();
  mkdirSync(join(dir, 'tokens'));
  writeFileSync(join(dir, 'softhsm2.conf'), `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = join(dir, 'softhsm2.conf');
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', 'pre', '--pin', '123456', '--so-pin', '654321'], { stdio: 'ignore' });
  const module = join(dir, 'libsofthsm2.so');
  copyFileSync(SOFTHSM, module);
  chmodSync(module, 0o755);
  const { keystore } = await session.invoke(
    'createKeyStore',
    { keystore_alias: 'pre-store', keystore_type: 'PKCS11', pkcs11_module: module, token_label: 'pre', pin: '123456' } as never,
    'cli',
  );
  await session.invoke('disableKeyStore', { keystore_id: keystore.keystore_id }, 'cli');
  return keystore.keystore_id;
}

/** file (under electron/core) and the comment's own words → the breaking call's code. */
const PRECONDITIONS: Record<string, () => Promise<string>> = {
  'api/password-policy.ts: `password` may become a vault': async () => refusal(session.invoke('vaultChangePassword', { new_password: 'short' }, 'cli')),
  'kms/keystores.ts: a store whose keys are used (or made) is enabled': async () => {
    const keystore_id = await disabledSoftHsmStore();
    return refusal(session.invoke('createKey', { key_alias: 'in-disabled-store', key_spec: 'AES_256', keystore_id } as never, 'cli'));
  },
  'kms/symmetric.ts: a key seals only when enabled, made for ENCRYPT_DECRYPT and symmetric': async () => {
    const id = await key('EC_P256', 'SIGN_VERIFY');
    return refusal(session.invoke('encryptData', { key_id: id, plain_text: 'x' }, 'cli'));
  },
  'kms/grants.ts: what a grantee grants is within what its own grants': async () => {
    const id = await key();
    const grantee = { role: 'grantee', access_key: 'GRANTEEACCESSKEY0001' } as never;
    await session.invoke('createGrant', { key_id: id, grantee_principal: 'GRANTEEACCESSKEY0001', operations: ['create-grant', 'encrypt-data'] }, 'cli');
    // It may pass on encrypt-data, not decrypt-data, which no grant gave it.
    return refusal(session.invoke('createGrant', { key_id: id, grantee_principal: 'someoneelse', operations: ['decrypt-data'] }, 'http', grantee));
  },
  'kms/grants.ts: the caller may retire this grant': async () => {
    const id = await key();
    const { grant_id } = await session.invoke('createGrant', { key_id: id, grantee_principal: 'someone', operations: ['encrypt-data'] }, 'cli');
    return refusal(session.invoke('retireGrant', { key_id: id, grant_id }, 'cli', { role: 'grantee', access_key: 'OTHERACCESSKEY000000' } as never));
  },
  'kms/import.ts: imports go only to external keys': async () => {
    const id = await key();
    return refusal(session.invoke('getParametersForImport', { key_id: id, wrapping_algorithm: 'RSAES_OAEP_SHA_256' }, 'cli'));
  },
  'kms/asymmetric.ts: the key is enabled and for SIGN_VERIFY': async () => {
    const id = await key();
    return refusal(session.invoke('sign', { key_id: id, message: b64('m'), signing_algorithm: 'ECDSA_SHA_256' }, 'cli'));
  },
  'kms/keys.ts: a grantee caller holds a grant on the key': async () => {
    const id = await key();
    return refusal(session.invoke('encryptData', { key_id: id, plain_text: 'x' }, 'cli', { role: 'grantee', access_key: 'OTHERACCESSKEY000000' } as never));
  },
  'kms/keys.ts: a key used for cryptography is enabled': async () => {
    const id = await key();
    await session.invoke('disableKey', { key_id: id }, 'cli');
    return refusal(session.invoke('encryptData', { key_id: id, plain_text: 'x' }, 'cli'));
  },
  "kms/keys.ts: a key's metadata (alias, description, tags, grants) does not change while it is pending deletion": async () => {
    const id = await key();
    await pendingDeletion(id);
    return refusal(session.invoke('updateKeyDescription', { key_id: id, key_description: 'new' }, 'cli'));
  },
  'kms/keys.ts: the key was made for this usage': async () => {
    const id = await key('RSA_2048', 'SIGN_VERIFY');
    return refusal(session.invoke('encryptData', { key_id: id, plain_text: 'x', encryption_algorithm: 'RSAES_OAEP_SHA_256' }, 'cli'));
  },
  'kms/keys.ts: default keys are never disabled': async () => {
    await session.invoke('listKeys', {}, 'cli');
    const { key_details } = await session.invoke('listKeys', {}, 'cli');
    const id = key_details.find((k) => k.default_key_flag === '1')?.key_id ?? 'no default key';
    return refusal(session.invoke('disableKey', { key_id: id }, 'cli'));
  },
  'kms/keys.ts: its alias is free': async () => {
    await session.invoke('createKey', { key_alias: 'taken-alias' } as never, 'cli');
    return refusal(session.invoke('createKey', { key_alias: 'taken-alias' } as never, 'cli'));
  },
  'kms/wrap.ts: the key exists (`not-found`), is enabled': async () => {
    const id = await key('HMAC_256', 'GENERATE_VERIFY_MAC');
    return refusal(session.invoke('createDatakey', { key_id: id }, 'cli'));
  },
  "kms/data.ts: the encryption algorithm is one the key's spec offers": async () => {
    const id = await key();
    return refusal(session.invoke('encryptData', { key_id: id, plain_text: 'x', encryption_algorithm: 'RSAES_OAEP_SHA_256' }, 'cli'));
  },
  'kms/rotation.ts: only custom, KMS-generated keys of a rotatable spec rotate': async () => {
    const id = await key('EC_P256', 'SIGN_VERIFY');
    return refusal(session.invoke('enableKeyRotation', { key_id: id }, 'cli'));
  },
  "kms/mac.ts: the key is enabled, for GENERATE_VERIFY_MAC, and mac_algorithm is its spec's": async () => {
    const id = await key('HMAC_256', 'GENERATE_VERIFY_MAC');
    return refusal(session.invoke('generateMac', { key_id: id, mac_algorithm: 'HMAC_SHA_512', message: b64('m') }, 'cli'));
  },
  'kms/tags.ts: tags change only on keys that are not pending deletion': async () => {
    const id = await key();
    await pendingDeletion(id);
    return refusal(session.invoke('createKmsTag', { key_id: id, tag: { key: 'team', value: 'a' } }, 'cli'));
  },
  "secrets/cmk.ts: a secret's CMK exists": async () =>
    refusal(session.invoke('createSecret', { name: 'no-cmk', secret_string: 'v', kms_key_id: '22222222-2222-4222-8222-222222222222' }, 'cli')),
  'secrets/secrets.ts: secret names are unique': async () => {
    const name = await secret();
    return refusal(session.invoke('createSecret', { name, secret_string: 'again' }, 'cli'));
  },
  'secrets/secrets.ts: a secret already pending deletion cannot be scheduled again': async () => {
    const name = await secret();
    await session.invoke('deleteSecretForSchedule', { secret_name: name, recovery_window_in_days: 7 }, 'cli');
    return refusal(session.invoke('deleteSecretForSchedule', { secret_name: name, recovery_window_in_days: 7 }, 'cli'));
  },
  'secrets/secrets.ts: only a secret pending deletion can be restored': async () =>
    refusal(session.invoke('restoreSecret', { secret_name: await secret() }, 'cli')),
  "secrets/versions.ts: a JSON secret's value is a JSON object of scalar values": async () =>
    refusal(session.invoke('createSecret', { name: 'json-nested', secret_string: '{"a":{"b":1}}', secret_format: 'JSON' } as never, 'cli')),
  'secrets/sealing.ts: its data key still opens under its CMK': async () => {
    // A backup whose CMK was disabled since does not restore: its data keys no longer open.
    const cmk = await key();
    await session.invoke('createSecret', { name: 'under-own-cmk', secret_string: 'v', kms_key_id: cmk }, 'cli');
    const { secret_blob } = await session.invoke('downloadSecretBlob', { secret_name: 'under-own-cmk' }, 'cli');
    await session.invoke('deleteSecret', { secret_name: 'under-own-cmk' }, 'cli');
    await session.invoke('disableKey', { key_id: cmk }, 'cli');
    return refusal(session.invoke('uploadSecretBlob', { secret_blob }, 'cli'));
  },
  'secrets/events.ts: a secret subscribes only to events that exist': async () =>
    refusal(session.invoke('createSecret', { name: 'subscribes-nothing', secret_string: 'v', event_subscriptions: ['no-such-event'] }, 'cli')),
  'secrets/events.ts: an event a secret subscribes to cannot be deleted': async () => {
    await session.invoke(
      'createSecretEvent',
      {
        name: 'ev-used',
        event_types: ['SECRET_VERSION_CREATED'],
        state: 'ENABLED',
        notification: { target_type: 'SMN', target_id: 't', target_name: 'n' },
      } as never,
      'cli',
    );
    await session.invoke('createSecret', { name: 'subscriber', secret_string: 'v', event_subscriptions: ['ev-used'] }, 'cli');
    return refusal(session.invoke('deleteSecretEvent', { event_name: 'ev-used' }, 'cli'));
  },
  'secrets/rotation.ts: rotation_period is `<int>d|h|m|s` from 6 h to 8760 h': async () =>
    refusal(session.invoke('createSecret', { name: 'rotates-too-often', secret_string: 'v', auto_rotation: true, rotation_period: '1h' } as never, 'cli')),
  'secrets/backup.ts: Preconditions: the name is': async () => {
    const name = await secret();
    const { secret_blob } = await session.invoke('downloadSecretBlob', { secret_name: name }, 'cli');
    return refusal(session.invoke('uploadSecretBlob', { secret_blob }, 'cli'));
  },
  'secrets/stages.ts: a secret holds at most 12 stages': async () => {
    const name = await secret();
    const { version_metadata } = await session.invoke('createSecretVersion', { secret_name: name, secret_string: 'v2' }, 'cli');
    for (let i = 0; i < 10; i += 1)
      await session.invoke('updateSecretStage', { secret_name: name, stage_name: `s${i}`, version_id: version_metadata.id }, 'cli');
    return refusal(session.invoke('updateSecretStage', { secret_name: name, stage_name: 's-over', version_id: version_metadata.id }, 'cli'));
  },
  'secrets/stages.ts: SYSCURRENT and SYSPREVIOUS cannot be deleted': async () =>
    refusal(session.invoke('deleteSecretStage', { secret_name: await secret(), stage_name: 'SYSCURRENT' }, 'cli')),
  'secrets/records.ts: values are read and versions added only while a secret is enabled': async () => {
    const name = await secret();
    await session.invoke('deleteSecretForSchedule', { secret_name: name, recovery_window_in_days: 7 }, 'cli');
    return refusal(session.invoke('createSecretVersion', { secret_name: name, secret_string: 'v2' }, 'cli'));
  },
};

/** The code each comment promises (or the service's "wrong key" code where the comment names a reason, not a code). */
const EXPECTED: Record<string, string> = {
  'api/password-policy.ts': 'VAULT.0108',
  'kms/keystores.ts': 'KEYHOLD.0607',
  'kms/symmetric.ts': 'KMS.0308',
  'kms/grants.ts: what a grantee grants': 'KMS.0306',
  'kms/grants.ts: the caller may retire': 'KMS.0306',
  'kms/import.ts': 'KMS.0309',
  'kms/asymmetric.ts': 'KMS.0308',
  'kms/keys.ts: a grantee caller': 'KMS.0306',
  'kms/keys.ts: a key used for cryptography': 'KMS.0209',
  "kms/keys.ts: a key's metadata": 'KMS.0210',
  'kms/keys.ts: the key was made for this usage': 'KMS.0308',
  'kms/keys.ts: default keys': 'KMS.0211',
  'kms/keys.ts: its alias is free': 'KMS.1104',
  'kms/wrap.ts': 'KMS.0308',
  'kms/data.ts': 'KMS.0308',
  'kms/rotation.ts': 'KMS.0308',
  'kms/mac.ts': 'KMS.0308',
  'kms/tags.ts': 'KMS.0210',
  'secrets/cmk.ts': 'CSMS.0005',
  'secrets/secrets.ts: secret names are unique': 'CSMS.0002',
  'secrets/secrets.ts: a secret already pending': 'CSMS.0107',
  'secrets/secrets.ts: only a secret pending': 'CSMS.0108',
  'secrets/versions.ts': 'CSMS.0002',
  'secrets/sealing.ts': 'CSMS.0002',
  'secrets/events.ts: a secret subscribes': 'CSMS.0005',
  'secrets/events.ts: an event a secret': 'CSMS.0002',
  'secrets/rotation.ts': 'CSMS.0002',
  'secrets/backup.ts': 'CSMS.0002',
  'secrets/stages.ts: a secret holds': 'CSMS.0203',
  'secrets/stages.ts: SYSCURRENT': 'CSMS.0105',
  'secrets/records.ts': 'CSMS.0103',
};

const expectedFor = (row: string) => EXPECTED[Object.keys(EXPECTED).find((k) => row.startsWith(k)) ?? ''];

/** Every precondition comment under electron/core: its file and the words after "Precondition(s)…:". */
function preconditionComments(): { file: string; words: string }[] {
  const core = join(process.cwd(), 'electron', 'core');
  const out: { file: string; words: string }[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) {
        for (const m of readFileSync(path, 'utf8').matchAll(/Precondition[^:]*:\s*([^\n]*)/g))
          out.push({ file: relative(core, path), words: (m[1] as string).trim() });
      }
    }
  };
  walk(core);
  return out;
}

beforeAll(async () => {
  ({ session } = await newSession());
});
afterAll(() => session.close());

describe('every precondition comment has its test', () => {
  it('names each comment in the table, and each row a comment that exists', () => {
    const comments = preconditionComments();
    const rows = Object.keys(PRECONDITIONS);
    const unmatched = comments.filter(
      (c) =>
        !rows.some(
          (r) =>
            r.startsWith(`${c.file}: `) &&
            `${c.words} `.includes(
              r
                .slice(c.file.length + 2)
                .replace(/^Preconditions: /, '')
                .slice(0, 30),
            ),
        ),
    );
    expect(unmatched.map((c) => `${c.file}: ${c.words}`)).toEqual([]);
    const stale = rows.filter((r) => !comments.some((c) => r.startsWith(`${c.file}: `)));
    expect(stale).toEqual([]);
    for (const r of rows) expect(expectedFor(r), r).toMatch(/^[A-Z]+\.\d{4}$/);
  });

  for (const [row, breakIt] of Object.entries(PRECONDITIONS)) {
    it.skipIf(row.startsWith('kms/keystores.ts') && !existsSync(SOFTHSM))(`Precondition — ${row}`, async () => {
      expect(await breakIt()).toBe(expectedFor(row));
    });
  }
});
