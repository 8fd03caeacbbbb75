// Parsers of outside input owned by the foundation are total: sealed record bodies, small-data
// ciphertexts and vault headers yield a value or a typed KeyholdError, never anything else.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openRecord, sealRecord } from '../../electron/core/vault/record-codec.js';
import { kmsHandlers } from '../../electron/core/kms/service.js';
import { checkKdf, KDF_BOUNDS } from '../../electron/core/vault/kdf-params.js';
import { readHeader } from '../../electron/core/vault/header.js';
import Database from 'better-sqlite3';
import { KeyholdError } from '../../shared/errors.js';
import { memoryKmsContext } from '../helpers/memory-store.js';

function typedOrValue(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    return e instanceof KeyholdError;
  }
}

const key = randomBytes(32);
const at = { table: 'kms_keys', id: 'abc', rev: 3 };
const sealed = sealRecord(key, at, Buffer.from('{"x":1}'));

describe('fuzz: sealed record bodies', () => {
  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => typedOrValue(() => openRecord(key, at, Buffer.from(b)))),
      { numRuns: 2000 },
    );
  });
  it('truncations and bit flips of a real body never authenticate', () => {
    fc.assert(
      fc.property(fc.nat(sealed.length - 1), fc.integer({ min: 0, max: 7 }), fc.boolean(), (i, bit, truncate) => {
        const b = truncate ? sealed.subarray(0, i) : Buffer.from(sealed);
        if (!truncate) b[i] = (b[i] ?? 0) ^ (1 << bit);
        try {
          openRecord(key, at, b);
          return false;
        } catch (e) {
          return e instanceof KeyholdError;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('fuzz: decrypt-data ciphertexts', () => {
  const ctx = memoryKmsContext();
  it('random base64 of valid length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 96, maxLength: 400 }), (b) =>
        typedOrValue(() => kmsHandlers.decryptData(ctx, { cipher_text: Buffer.from(b).toString('base64'), encryption_algorithm: 'SYMMETRIC_DEFAULT' })),
      ),
      { numRuns: 2000 },
    );
  });
  it('a real header with random bodies', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 62, maxLength: 200 }), (b) => {
        const raw = Buffer.concat([Buffer.from([1, 1]), randomBytes(32), Buffer.from(b)]);
        return typedOrValue(() => kmsHandlers.decryptData(ctx, { cipher_text: raw.toString('base64'), encryption_algorithm: 'SYMMETRIC_DEFAULT' }));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('fuzz: vault header KDF block', () => {
  it('any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => typedOrValue(() => checkKdf(v))),
      { numRuns: 2000 },
    );
  });
  it('any numbers in the cost fields', () => {
    fc.assert(
      fc.property(fc.double(), fc.double(), fc.double(), (m, t, p) =>
        typedOrValue(() => checkKdf({ alg: 'argon2id', m, t, p, salt: 'AAAAAAAAAAAAAAAAAAAAAA==' })),
      ),
      { numRuns: 2000 },
    );
  });
});

describe('fuzz: vault header', () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)');
  const put = db.prepare("INSERT INTO meta (k, v) VALUES ('header', ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v");
  const field = fc.oneof(fc.jsonValue(), fc.string(), fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), maxLength: 64 }), fc.integer());
  const header = fc.record(
    {
      format: fc.oneof(fc.constant(1), fc.jsonValue()),
      vault_id: field,
      domain_id: field,
      project_id: field,
      created: fc.oneof(fc.integer(), fc.double(), fc.jsonValue()),
      kdf: fc.record({
        alg: fc.constant('argon2id'),
        m: fc.integer({ min: 0, max: 2 * 1024 * 1024 }),
        t: fc.integer({ min: 0, max: 100 }),
        p: fc.integer({ min: 0, max: 9 }),
        salt: fc.constant('AAAAAAAAAAAAAAAAAAAAAA=='),
      }),
      root_by_password: field,
      root_by_device: field,
      header_mac: field,
      extra: fc.jsonValue(),
    },
    { requiredKeys: [] },
  );

  it('any header-shaped JSON: a header within every bound (the work m × t included), or a typed error', () => {
    fc.assert(
      fc.property(header, (h) => {
        put.run(JSON.stringify(h));
        try {
          const read = readHeader(db);
          return read.kdf.m * read.kdf.t <= KDF_BOUNDS.work.max && !('extra' in read);
        } catch (e) {
          return e instanceof KeyholdError;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        put.run(text);
        return typedOrValue(() => readHeader(db));
      }),
      { numRuns: 1000 },
    );
  });
});

it('the typedOrValue oracle can fail', () => {
  expect(
    typedOrValue(() => {
      throw new TypeError('boom');
    }),
  ).toBe(false);
});
