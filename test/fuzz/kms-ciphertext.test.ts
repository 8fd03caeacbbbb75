// Ciphertext parsers are total: truncated, bit-flipped and foreign ciphertexts (encrypt-data's
// base64, data keys' hex) and import tokens end in a typed KeyholdError, never a crash, a hang
// or a wrong plaintext. Runs the declarations' validation and the handlers on an in-memory store.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { findOperation } from '../../electron/core/api/index.js';
import { SoftwareHsm } from '../../electron/core/hsm/software.js';
import type { KmsContext } from '../../electron/core/kms/context.js';
import { parseToken } from '../../electron/core/kms/import-token.js';
import type { RecordStore } from '../../electron/core/vault/store.js';
import { KeyholdError } from '../../shared/errors.js';
import { parseInput } from '../../shared/operations/index.js';

function memoryStore(): RecordStore {
  const tables = new Map<string, Map<string, string>>();
  const t = (name: string) => tables.get(name) ?? tables.set(name, new Map()).get(name)!;
  return {
    read: <T>(name: string, id: string) => (t(name).has(id) ? (JSON.parse(t(name).get(id)!) as T) : undefined),
    list: <T>(name: string) => [...t(name).values()].map((v) => JSON.parse(v) as T),
    ids: (name, range = {}) =>
      [...t(name).keys()]
        .sort()
        .filter((id) => range.after === undefined || id > range.after)
        .slice(0, range.limit ?? Infinity),
    put: (name, id, v) => void t(name).set(id, JSON.stringify(v)),
    delete: (name, id) => void t(name).delete(id),
  };
}

const ctx: KmsContext = {
  store: memoryStore(),
  hsm: new SoftwareHsm(randomBytes(32)),
  handles: new Map(),
  domain: { domain_id: 'd'.repeat(32), project_id: 'p'.repeat(32), realm: 'local' },
  now: Date.now,
};

async function call(op: string, raw: Record<string, unknown>): Promise<Record<string, string>> {
  const reg = findOperation('kms', op)!;
  return (await reg.handler(ctx, parseInput(reg.decl, raw))) as Record<string, string>;
}

/** Runs a call expected to fail; returns the KeyholdError code (anything else fails the test). */
async function codeOf(op: string, raw: Record<string, unknown>): Promise<string> {
  try {
    await call(op, raw);
  } catch (e) {
    if (e instanceof KeyholdError) return e.code;
    throw e;
  }
  return 'success';
}

let keyId: string;
beforeAll(async () => {
  keyId = ((await call('create-key', { key_alias: 'fuzz' })) as unknown as { key_info: { key_id: string } }).key_info.key_id;
});

const CT_ERRORS = ['KMS.2201', 'KMS.0207'];

describe('encrypt-data ciphertext (base64)', () => {
  it('any truncation is a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 300 }), fc.nat(), async (text, cut) => {
        const ct = Buffer.from((await call('encrypt-data', { key_id: keyId, plain_text: text })).cipher_text!, 'base64');
        const truncated = ct.subarray(0, cut % ct.length);
        expect(CT_ERRORS).toContain(await codeOf('decrypt-data', { cipher_text: truncated.toString('base64') }));
      }),
      { numRuns: 150 },
    );
  });

  it('any single bit flip is a typed error (never another plaintext)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 200 }), fc.nat(), async (text, bit) => {
        const ct = Buffer.from((await call('encrypt-data', { key_id: keyId, plain_text: text })).cipher_text!, 'base64');
        const i = bit % (ct.length * 8);
        ct[i >> 3] = (ct[i >> 3] as number) ^ (1 << (i & 7));
        expect(CT_ERRORS).toContain(await codeOf('decrypt-data', { cipher_text: ct.toString('base64') }));
      }),
      { numRuns: 200 },
    );
  });

  it('foreign blobs and arbitrary strings are typed errors', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ minLength: 0, maxLength: 700 }).map((b) => Buffer.from(b).toString('base64')),
          fc.string({ maxLength: 400 }),
        ),
        async (blob) => {
          expect(['KMS.2201', 'KMS.0207']).toContain(await codeOf('decrypt-data', { cipher_text: blob }));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a foreign blob that starts like a Keyhold ciphertext of this key is still a typed error', async () => {
    const header = Buffer.from((await call('encrypt-data', { key_id: keyId, plain_text: 'x' })).cipher_text!, 'base64').subarray(0, 22);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 200 }), fc.nat(0xffffffff), async (tail, version) => {
        const blob = Buffer.concat([header, Buffer.from(tail)]);
        if (blob.length >= 22) blob.writeUInt32BE(version, 18);
        expect(CT_ERRORS).toContain(await codeOf('decrypt-data', { cipher_text: blob.toString('base64') }));
      }),
      { numRuns: 150 },
    );
  });
});

describe('data-key ciphertext (hex)', () => {
  it('truncations, bit flips and random hex are typed errors', async () => {
    const { cipher_text } = await call('create-datakey', { key_id: keyId });
    const ct = Buffer.from(cipher_text!, 'hex');
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), fc.uint8Array({ minLength: 4, maxLength: 300 }), async (cut, bit, random) => {
        const flipped = Buffer.from(ct);
        const i = bit % (ct.length * 8);
        flipped[i >> 3] = (flipped[i >> 3] as number) ^ (1 << (i & 7));
        for (const bad of [ct.subarray(0, cut % ct.length), flipped, Buffer.from(random)]) {
          expect(['KMS.2201', 'KMS.0207']).toContain(
            await codeOf('decrypt-datakey', { key_id: keyId, cipher_text: bad.toString('hex'), datakey_cipher_length: '32' }),
          );
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('import token', () => {
  it('any bytes are a token of the key, or KMS.2601 / KMS.2603', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
        try {
          parseToken(Buffer.from(bytes).toString('base64'), keyId);
        } catch (e) {
          expect(e).toBeInstanceOf(KeyholdError);
          expect(['KMS.2601', 'KMS.2603']).toContain((e as KeyholdError).code);
        }
      }),
      { numRuns: 500 },
    );
  });
});
