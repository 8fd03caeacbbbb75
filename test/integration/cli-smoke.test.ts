import { describe, expect, it } from 'vitest';
import { cli, initVault } from '../helpers/vault.js';

describe('CLI end to end (the README quick start)', () => {
  it('creates a key, encrypts, decrypts and verifies the audit log', () => {
    const vault = initVault();
    const created = cli(vault, ['kms', 'create-key', '--key-alias', 'demo']);
    expect(created.status).toBe(0);
    const keyId = (created.json as { key_info: { key_id: string } }).key_info.key_id;
    const enc = cli(vault, ['kms', 'encrypt-data', '--key-id', keyId, '--plain-text', 'hello']);
    expect(enc.status).toBe(0);
    const ct = (enc.json as { cipher_text: string }).cipher_text;
    expect(ct.length).toBeGreaterThanOrEqual(128);
    const dec = cli(vault, ['kms', 'decrypt-data', '--cipher-text', ct]);
    expect(dec.json).toMatchObject({ key_id: keyId, plain_text: 'hello' });
    const verify = cli(vault, ['audit', 'verify']);
    expect(verify.json).toMatchObject({ valid: true });
  });
});
