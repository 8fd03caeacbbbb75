/** Test helpers for the KMS: calls through the real Session (validation, audit, vault). */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Session } from '../../electron/core/api/index.js';
import { CMK_TABLE, type CmkRecord } from '../../electron/core/kms/keys.js';
import type { HsmKeyKind } from '../../electron/core/hsm/backend.js';
import { KeyholdError } from '../../shared/errors.js';
import type { KeySpec } from '../../shared/constants.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read cloud responses loosely, as a script would
export type Json = any;

export function kms(session: Session, op: string, input: Record<string, unknown> = {}): Promise<Json> {
  return session.call('kms', op, input, 'cli');
}

/** Expects the call to fail with a KeyholdError of `code`; returns it. */
export async function expectCode(p: Promise<unknown>, code: string): Promise<KeyholdError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(KeyholdError);
    expect((e as KeyholdError).code).toBe(code);
    return e as KeyholdError;
  }
  throw new Error(`expected ${code}, but the call succeeded`);
}

export async function createKey(session: Session, spec: KeySpec = 'AES_256', extra: Record<string, unknown> = {}): Promise<string> {
  const alias = `k-${spec}-${Math.floor(performance.now() * 1000)}-${(extra.key_alias as string | undefined) ?? ''}`;
  const r = await kms(session, 'create-key', { key_alias: alias, key_spec: spec, ...extra });
  return r.key_info.key_id as string;
}

export function readKey(session: Session, keyId: string): CmkRecord {
  return session.vault.read<CmkRecord>(CMK_TABLE, keyId) as CmkRecord;
}

/** Writes a key record directly (an audited system write), for states no operation reaches. */
export async function putKey(session: Session, record: CmkRecord): Promise<void> {
  await session.vault.write(
    (tx) => tx.put(CMK_TABLE, record.key_id, record),
    (tx) => session.audit.append(tx, { transport: 'system', operation: 'test put-key', key_id: record.key_id, outcome: 'success', fields: {} }),
  );
  session.audit.anchor();
}

/** Stores outside key material (PKCS#8 DER of an openssl key pair) as a CMK, as if imported. */
export async function putKeyPair(
  session: Session,
  spec: KeySpec,
  kind: HsmKeyKind,
  pkcs8Der: Buffer,
  usage: 'SIGN_VERIFY' | 'ENCRYPT_DECRYPT' = 'SIGN_VERIFY',
): Promise<string> {
  const keyId = randomUUID();
  await putKey(session, {
    key_id: keyId,
    key_alias: `outside-${keyId}`,
    key_spec: spec,
    key_usage: usage,
    key_description: 'material made by openssl',
    creation_date: Date.now(),
    scheduled_deletion_date: null,
    key_state: '2',
    default_key: false,
    origin: 'kms',
    rotation_enabled: false,
    versions: [{ version: 1, material: session.hsm.wrap(kind, pkcs8Der), created: Date.now() }],
  });
  return keyId;
}
