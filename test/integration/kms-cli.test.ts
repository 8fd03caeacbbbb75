// The KMS through the command line as a user runs it: `keyhold ops` lists every KMS operation
// of the issue (with the SDK names as aliases), and KMS errors are the cloud's nested shape
// with exit status 2.
import { describe, expect, it } from 'vitest';
import { cli, initVault } from '../helpers/vault.js';

const EXPECTED: Record<string, string[]> = {
  'create-key': [],
  'describe-key': ['list-key-detail'],
  'list-keys': [],
  'enable-key': [],
  'disable-key': [],
  'schedule-key-deletion': ['delete-key'],
  'cancel-key-deletion': [],
  'update-key-alias': [],
  'update-key-description': [],
  'show-user-quotas': ['user-quotas'],
  'update-user-quotas': [],
  'show-user-instances': ['user-instances'],
  'encrypt-data': [],
  'decrypt-data': [],
  'create-datakey': [],
  'create-datakey-without-plaintext': [],
  'encrypt-datakey': [],
  'decrypt-datakey': [],
  'gen-random': ['create-random'],
  sign: [],
  verify: ['validate-signature'],
  'get-publickey': ['show-public-key'],
  'generate-mac': [],
  'verify-mac': [],
  'enable-key-rotation': [],
  'disable-key-rotation': [],
  'update-key-rotation-interval': [],
  'get-key-rotation-status': ['show-key-rotation-status'],
  'rotate-on-demand': [],
  'get-parameters-for-import': ['create-parameters-for-import'],
  'import-key-material': [],
  'delete-imported-key-material': [],
  'create-grant': [],
  'list-grants': [],
  'revoke-grant': ['cancel-grant'],
  'retire-grant': ['cancel-self-grant'],
  'list-retirable-grants': [],
  'create-kms-tag': [],
  'batch-create-kms-tags': [],
  'delete-tag': [],
  'show-kms-tags': [],
  'list-kms-tags': [],
  'list-kms-by-tags': [],
  'create-key-store': [],
  'list-key-stores': [],
  'show-key-store': [],
  'enable-key-store': [],
  'disable-key-store': [],
  'delete-key-store': [],
};

describe('keyhold kms on the command line', () => {
  it('`keyhold ops` lists every KMS operation with its aliases', () => {
    const r = cli('/nonexistent/vault.db', ['ops']);
    expect(r.status).toBe(0);
    const kms = (r.json as { service: string; operation: string; aliases: string[] }[]).filter((o) => o.service === 'kms');
    expect(Object.fromEntries(kms.map((o) => [o.operation, o.aliases]))).toEqual(EXPECTED);
  });

  it('signs with an alias name and reports a wrong state as the nested KMS error with exit 2', () => {
    const vault = initVault();
    const keyId = (cli(vault, ['kms', 'create-key', '--key-alias', 's', '--key-spec', 'EC_P384']).json as { key_info: { key_id: string } }).key_info.key_id;
    const digest = Buffer.alloc(48, 1).toString('base64');
    const sig = cli(vault, ['kms', 'sign', '--key-id', keyId, '--signing-algorithm', 'ECDSA_SHA_384', '--message', digest]);
    expect(sig.status).toBe(0);
    const v = cli(vault, [
      'kms',
      'validate-signature',
      '--key-id',
      keyId,
      '--signing-algorithm',
      'ECDSA_SHA_384',
      '--message',
      digest,
      '--signature',
      (sig.json as { signature: string }).signature,
    ]);
    expect(v.json).toEqual({ key_id: keyId, signature_valid: 'true' });
    expect(cli(vault, ['kms', 'disable-key', '--key-id', keyId]).status).toBe(0);
    const refused = cli(vault, ['kms', 'sign', '--key-id', keyId, '--signing-algorithm', 'ECDSA_SHA_384', '--message', digest]);
    expect(refused.status).toBe(2);
    expect(JSON.parse(refused.stderr)).toEqual({
      error: { error_code: 'KMS.0209', error_msg: `The key ${keyId} is disabled.`, code: 'KMS.0209', message: `The key ${keyId} is disabled.` },
    });
  });
});
