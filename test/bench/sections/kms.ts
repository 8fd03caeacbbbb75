/**
 * KMS bench: create-datakey, generate-mac, RSA-2048 PSS sign, ECDSA P-256 sign, and ECDSA over a
 * digest (sign and verify, P-256, P-384, secp256k1) against the raw node:crypto operation, measured alternately in the same run, on two paths:
 * - "session": the whole Session (validation, key lookup in the sealed vault, HSM, and the audit
 *   entry durably committed before the call returns). Calls run CONCURRENCY at a time, as a
 *   server or a script pipeline issues them, so audit entries share a commit (group commit).
 * - "service": the same declaration's validation and KMS handler on the vault's read-only store
 *   (key lookup in the sealed vault, HSM), without the audit entry: what the KMS itself costs.
 */
import { constants, createCipheriv, createHash, createHmac, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOperation, Session } from '../../../electron/core/api/index.js';
import { readOnlyStore } from '../../../electron/core/vault/store.js';
import { parseInput } from '../../../shared/operations/index.js';
import { compare, type BenchReport } from '../harness.ts';

const CONCURRENCY = 64;

async function concurrently(n: number, fn: () => Promise<unknown>): Promise<void> {
  await Promise.all(Array.from({ length: n }, fn));
}

export async function run(report: BenchReport): Promise<void> {
  report.section(`KMS (whole Session path, ${CONCURRENCY} concurrent calls; ratio = keyhold / raw node:crypto)`);
  const dir = mkdtempSync(join(tmpdir(), 'keyhold-bench-kms-'));
  const session = await Session.create(join(dir, 'v.db'), 'bench password', { kdfTargetMs: 10 });
  const viaSession = (op: string, input: Record<string, unknown>) => session.call('kms', op, input, 'cli') as Promise<Record<string, unknown>>;
  const serviceCtx = { store: readOnlyStore(session.vault, 'bench'), hsm: session.hsm, handles: session.handles, domain: session.domain, now: Date.now };
  const viaService = async (op: string, input: Record<string, unknown>) => {
    const reg = findOperation('kms', op)!;
    return reg.handler(serviceCtx, parseInput(reg.decl, input)) as Promise<Record<string, unknown>>;
  };
  /** Measures `op` on both paths against `raw` (which performs `n` operations). */
  const both = async (name: string, op: string, input: Record<string, unknown>, raw: () => void, n: number, baselineName: string, goal?: number) => {
    for (const [path, fn] of [
      ['session', viaSession],
      ['service', viaService],
    ] as const) {
      const r = await compare(() => concurrently(n, () => fn(op, input)), raw, n);
      report.ratio({ name: `${name} [${path}]`, unit: 'ops/s', ...r, baselineName, ...(goal === undefined ? {} : { goal }) });
    }
  };
  const keyOf = async (spec: string) =>
    ((await viaSession('create-key', { key_alias: `bench-${spec}`, key_spec: spec })) as { key_info: { key_id: string } }).key_info.key_id;
  try {
    const aes = await keyOf('AES_256');
    const rawAes = randomBytes(32);
    await both(
      'create-datakey (256-bit DEK)',
      'create-datakey',
      { key_id: aes },
      () => {
        for (let i = 0; i < CONCURRENCY; i++) {
          const dek = randomBytes(32);
          const c = createCipheriv('aes-256-gcm', rawAes, randomBytes(12));
          c.update(dek);
          c.final();
          c.getAuthTag();
        }
      },
      CONCURRENCY,
      'randomBytes + AES-256-GCM seal',
      0.5,
    );

    const hmacKey = await keyOf('HMAC_256');
    const rawHmacKey = randomBytes(32);
    const b64 = randomBytes(4096).toString('base64');
    await both(
      'generate-mac HMAC_SHA_256 (4096-byte message)',
      'generate-mac',
      { key_id: hmacKey, mac_algorithm: 'HMAC_SHA_256', message: b64 },
      () => {
        for (let i = 0; i < CONCURRENCY; i++) createHmac('sha256', rawHmacKey).update(Buffer.from(b64, 'base64')).digest('hex');
      },
      CONCURRENCY,
      'createHmac',
      0.5,
    );

    const rsa = await keyOf('RSA_2048');
    const rsaRaw = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const msg = Buffer.from('bench message');
    const digest = createHash('sha256').update(msg).digest().toString('base64');
    for (const type of ['DIGEST', 'RAW'] as const) {
      await both(
        `sign RSASSA_PSS_SHA_256, RSA_2048, ${type}`,
        'sign',
        { key_id: rsa, signing_algorithm: 'RSASSA_PSS_SHA_256', message_type: type, message: type === 'RAW' ? msg.toString('base64') : digest },
        () => {
          for (let i = 0; i < CONCURRENCY; i++)
            sign('sha256', msg, { key: rsaRaw, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
        },
        CONCURRENCY,
        'crypto.sign PSS',
        0.8,
      );
    }

    const ec = await keyOf('EC_P256');
    const ecRaw = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    for (const type of ['RAW', 'DIGEST'] as const) {
      await both(
        `sign ECDSA_SHA_256, EC_P256, ${type}`,
        'sign',
        { key_id: ec, signing_algorithm: 'ECDSA_SHA_256', message_type: type, message: type === 'RAW' ? msg.toString('base64') : digest },
        () => {
          for (let i = 0; i < CONCURRENCY; i++) sign('sha256', msg, ecRaw);
        },
        CONCURRENCY,
        'crypto.sign ECDSA',
      );
    }

    // ECDSA over a digest (crypto/ecdsa-prehashed.ts) on each curve, signing and verifying.
    const curves = [
      ['EC_P256', 'prime256v1', 'ECDSA_SHA_256', 'sha256'],
      ['EC_P384', 'secp384r1', 'ECDSA_SHA_384', 'sha384'],
      ['SECP256K1', 'secp256k1', 'ECDSA_SHA_256', 'sha256'],
    ] as const;
    for (const [spec, curve, algorithm, hash] of curves) {
      const id = spec === 'EC_P256' ? ec : await keyOf(spec);
      const pair = generateKeyPairSync('ec', { namedCurve: curve });
      const d = createHash(hash).update(msg).digest().toString('base64');
      const signed = (await viaSession('sign', { key_id: id, signing_algorithm: algorithm, message_type: 'DIGEST', message: d })) as { signature: string };
      const rawSig = sign(hash, msg, pair.privateKey);
      // P-256 signing over a digest is measured above.
      if (spec !== 'EC_P256')
        await both(
          `sign ${algorithm}, ${spec}, DIGEST (to raw RAW)`,
          'sign',
          { key_id: id, signing_algorithm: algorithm, message_type: 'DIGEST', message: d },
          () => {
            for (let i = 0; i < CONCURRENCY; i++) sign(hash, msg, pair.privateKey);
          },
          CONCURRENCY,
          'crypto.sign ECDSA',
        );
      await both(
        `verify ${algorithm}, ${spec}, DIGEST (to raw RAW)`,
        'verify',
        { key_id: id, signing_algorithm: algorithm, message_type: 'DIGEST', message: d, signature: signed.signature },
        () => {
          for (let i = 0; i < CONCURRENCY; i++) verify(hash, msg, pair.publicKey, rawSig);
        },
        CONCURRENCY,
        'crypto.verify ECDSA',
      );
    }
  } finally {
    session.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
