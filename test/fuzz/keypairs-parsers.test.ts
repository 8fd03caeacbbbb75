/**
 * Every key-file parser is total: truncations, bit flips (in the text and in the decoded
 * binary), random bytes and hostile KDF headers end in a value or a typed KeyholdError, never
 * another exception, never a hang; a PPK v3 header asking for 4 GiB of Argon2 memory is refused
 * before anything is allocated, and every KDF cost is refused exactly when it is beyond its bound. Seeds are made once by Keyhold's own writers.
 */
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyholdError } from '../../shared/errors.js';
import { readKey, writeKey, type FormatName } from '../../electron/core/keypairs/formats/index.js';
import { der, int, octets, oid, seq } from '../../electron/core/keypairs/der.js';
import { fromKeyObject, sha256Fingerprint, type PrivateKey } from '../../electron/core/keypairs/key.js';
import { readArmor, writeArmor } from '../../electron/core/keypairs/formats/armor.js';
import { KDF_BOUNDS } from '../../electron/core/keypairs/kdf-bounds.js';
import { cpuClock } from '../helpers/cpu-time.js';

const PASS = 'fuzz pass';
const seeds: { name: string; text: string; passphrase?: string; cost: 'cheap' | 'kdf' }[] = [];
const keys: PrivateKey[] = [];

beforeAll(async () => {
  keys.push(
    fromKeyObject(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey, 'test'),
    fromKeyObject(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey, 'test'),
    fromKeyObject(generateKeyPairSync('ec', { namedCurve: 'secp521r1' }).privateKey, 'test'),
    fromKeyObject(generateKeyPairSync('ed25519').privateKey, 'test'),
    fromKeyObject(generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 }).privateKey, 'test'),
  );
  const formats: FormatName[] = ['ppk2', 'ppk3', 'openssh', 'pem', 'pkcs8', 'public-openssh', 'public-rfc4716'];
  for (const key of [keys[0], keys[3]] as PrivateKey[]) {
    for (const f of formats) {
      seeds.push({ name: `${key.type} ${f}`, text: await writeKey(f, { publicKey: key, privateKey: key }, { comment: 'fuzz seed' }), cost: 'cheap' });
      if (!f.startsWith('public-'))
        seeds.push({
          name: `${key.type} ${f} encrypted`,
          text: await writeKey(f, { publicKey: key, privateKey: key }, { comment: 'fuzz seed', passphrase: PASS }),
          passphrase: PASS,
          cost: 'kdf',
        });
    }
  }
});

/** Parses and insists on the contract: a value, or a KeyholdError; and cheaply (CPU time, not wall clock). */
async function total(input: Buffer | string, passphrase?: string, budgetMs = 5000): Promise<'value' | string> {
  const cpuMs = cpuClock();
  let outcome: 'value' | string = 'value';
  try {
    await readKey(input, passphrase);
  } catch (e) {
    if (!(e instanceof KeyholdError)) throw new Error(`a parser threw a non-Keyhold error: ${String(e)}`);
    expect(e.message).not.toContain(PASS);
    outcome = e.code;
  }
  expect(cpuMs()).toBeLessThan(budgetMs);
  return outcome;
}

function flipBit(b: Buffer, bit: number): Buffer {
  const out = Buffer.from(b);
  const i = Math.floor(bit / 8) % out.length;
  out[i] = (out[i] as number) ^ (1 << (bit % 8));
  return out;
}

describe('parsers are total', () => {
  it('every truncation of every cheap seed', async () => {
    for (const s of seeds.filter((x) => x.cost === 'cheap')) {
      for (let n = 0; n < s.text.length; n += s.text.length > 1500 ? 3 : 1) await total(s.text.slice(0, n), s.passphrase);
    }
  });

  it('sampled truncations of the encrypted seeds', async () => {
    for (const s of seeds.filter((x) => x.cost === 'kdf')) {
      await fc.assert(
        fc.asyncProperty(fc.nat(s.text.length - 1), async (n) => void (await total(s.text.slice(0, n), s.passphrase))),
        { numRuns: 8 },
      );
    }
  });

  it('bit flips in the text', async () => {
    for (const s of seeds) {
      await fc.assert(
        fc.asyncProperty(fc.nat(s.text.length * 8 - 1), async (bit) => void (await total(flipBit(Buffer.from(s.text), bit), s.passphrase))),
        { numRuns: s.cost === 'cheap' ? 150 : 6 },
      );
    }
  });

  it('bit flips in the decoded body of armoured formats (structure, lengths, ciphertext)', async () => {
    for (const s of seeds.filter((x) => x.text.startsWith('-----BEGIN'))) {
      const a = readArmor(s.text, 'seed');
      const headers = a.headers.map(([k, v]) => `${k}: ${v}\n`).join('');
      await fc.assert(
        fc.asyncProperty(fc.nat(a.body.length * 8 - 1), async (bit) => {
          const body = writeArmor(a.label, flipBit(a.body, bit), 64);
          await total(headers ? body.replace('-----\n', `-----\n${headers}\n`) : body, s.passphrase);
        }),
        { numRuns: s.cost === 'cheap' ? 200 : 6 },
      );
    }
  });

  it("random bytes, and random text after each format's first line", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), async (b) => void (await total(Buffer.from(b)))),
      { numRuns: 300 },
    );
    const prefixes = [
      'PuTTY-User-Key-File-3: ssh-ed25519\n',
      'PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\n',
      '-----BEGIN OPENSSH PRIVATE KEY-----\n',
      '-----BEGIN RSA PRIVATE KEY-----\n',
      '-----BEGIN PRIVATE KEY-----\n',
      '---- BEGIN SSH2 PUBLIC KEY ----\n',
      'ssh-ed25519 AAAA',
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...prefixes), fc.string({ maxLength: 500 }), async (p, rest) => void (await total(p + rest, PASS))),
      { numRuns: 300 },
    );
  });

  it('refuses oversized inputs without reading them as keys', async () => {
    expect(await total(Buffer.alloc(2 * 1024 * 1024, 0x41))).toBe('KPS.1006');
  });
});

describe('hostile KDF costs fail fast, before any work', () => {
  it('a PPK v3 header asking for 4 GiB of Argon2 memory', async () => {
    const seed = seeds.find((s) => s.name === 'ssh-ed25519 ppk3 encrypted') as { text: string };
    const hostile = seed.text.replace(/Argon2-Memory: \d+/, 'Argon2-Memory: 4194304');
    const rss = process.memoryUsage().rss;
    const cpuMs = cpuClock();
    expect(await total(hostile, PASS)).toBe('KPS.1005');
    expect(cpuMs()).toBeLessThan(100);
    expect(process.memoryUsage().rss - rss).toBeLessThan(64 * 1024 * 1024);
    for (const [header, value] of [
      ['Argon2-Passes', '4294967295'],
      ['Argon2-Parallelism', '255'],
      ['Argon2-Memory', '1048576\nArgon2-Passes: 1000'],
    ] as const) {
      const h =
        header === 'Argon2-Memory'
          ? seed.text.replace(/Argon2-Memory: \d+\nArgon2-Passes: \d+/, `Argon2-Memory: ${value}`)
          : seed.text.replace(new RegExp(`${header}: \\d+`), `${header}: ${value}`);
      expect(await total(h, PASS, 100), header).toBe('KPS.1005');
    }
  });

  it('OpenSSH bcrypt rounds of 2^32-1', async () => {
    const seed = seeds.find((s) => s.name === 'ssh-ed25519 openssh encrypted') as { text: string };
    const a = readArmor(seed.text, 'seed');
    // kdfoptions: string salt (16) then uint32 rounds; find the rounds after the "bcrypt" name.
    const at = a.body.indexOf(Buffer.from('bcrypt')) + 6 + 4 + 4 + 16;
    const body = Buffer.from(a.body);
    body.writeUInt32BE(0xffffffff, at);
    expect(await total(writeArmor(a.label, body, 70), PASS, 100)).toBe('KPS.1005');
  });

  it('PKCS#8 asking for 2^31-1 PBKDF2 iterations', async () => {
    const PBES2 = '1.2.840.113549.1.5.13';
    const info = seq(
      seq(
        oid(PBES2),
        seq(
          seq(oid('1.2.840.113549.1.5.12'), seq(octets(Buffer.alloc(8, 1)), int(Buffer.from([0x7f, 0xff, 0xff, 0xff])))),
          seq(oid('2.16.840.1.101.3.4.1.42'), octets(Buffer.alloc(16, 2))),
        ),
      ),
      der(0x04, Buffer.alloc(48, 3)),
    );
    expect(await total(writeArmor('ENCRYPTED PRIVATE KEY', info, 64), PASS, 100)).toBe('KPS.1005');
  });
});

describe('KDF bounds hold as properties (refused iff beyond the bound, and then fast)', () => {
  const uint = (n: number) => int(Buffer.from(n.toString(16).padStart(16, '0'), 'hex'));
  const S = KDF_BOUNDS.scrypt;
  const A = KDF_BOUNDS.argon2;

  /** The outcome without a passphrase (nothing can be derived) and, when refused, with one. */
  async function boundOutcome(text: string): Promise<string> {
    const code = await total(text, undefined, 100);
    if (code === 'KPS.1005') expect(await total(text, PASS, 100)).toBe('KPS.1005');
    return code;
  }

  it('PKCS#8 scrypt: any N, r, p', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 0xffff }), async (logN, r, p) => {
        const n = 2 ** logN;
        const params = seq(octets(Buffer.alloc(8, 1)), uint(n), uint(r), uint(p));
        const info = seq(
          seq(oid('1.2.840.113549.1.5.13'), seq(seq(oid('1.3.6.1.4.1.11591.4.11'), params), seq(oid('2.16.840.1.101.3.4.1.42'), octets(Buffer.alloc(16, 2))))),
          der(0x04, Buffer.alloc(48, 3)),
        );
        const beyond = p > S.p || 128 * r * (n + p + 2) > S.memoryBytes || n * r * p > S.work;
        expect(await boundOutcome(writeArmor('ENCRYPTED PRIVATE KEY', info, 64))).toBe(beyond ? 'KPS.1005' : 'KPS.1002');
      }),
      { numRuns: 200 },
    );
  });

  it('OpenSSH: any bcrypt rounds', async () => {
    const seed = seeds.find((s) => s.name === 'ssh-ed25519 openssh encrypted') as { text: string };
    const a = readArmor(seed.text, 'seed');
    const at = a.body.indexOf(Buffer.from('bcrypt')) + 6 + 4 + 4 + 16;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.integer({ min: 1, max: 2 * KDF_BOUNDS.bcryptRounds }), fc.integer({ min: 1, max: 0xffffffff })), async (rounds) => {
        const body = Buffer.from(a.body);
        body.writeUInt32BE(rounds, at);
        expect(await boundOutcome(writeArmor(a.label, body, 70))).toBe(rounds > KDF_BOUNDS.bcryptRounds ? 'KPS.1005' : 'value');
      }),
      { numRuns: 200 },
    );
  });

  it('PPK v3: any Argon2 memory, passes and lanes', async () => {
    const seed = seeds.find((s) => s.name === 'ssh-ed25519 ppk3 encrypted') as { text: string };
    const small = (max: number) => fc.oneof(fc.integer({ min: 1, max }), fc.integer({ min: 1, max: 0xffffffff }));
    await fc.assert(
      fc.asyncProperty(small(2 * A.memoryKiB), small(2 * A.passes), small(2 * A.parallelism), async (m, t, lanes) => {
        const text = seed.text
          .replace(/Argon2-Memory: \d+/, `Argon2-Memory: ${m}`)
          .replace(/Argon2-Passes: \d+/, `Argon2-Passes: ${t}`)
          .replace(/Argon2-Parallelism: \d+/, `Argon2-Parallelism: ${lanes}`);
        const beyond = m > A.memoryKiB || t > A.passes || lanes > A.parallelism || m * t > A.work;
        const outcome = await boundOutcome(text);
        if (beyond) expect(outcome).toBe('KPS.1005');
        // Within the bounds only the 8 KiB-per-lane rule can still refuse it, as malformed.
        else expect(outcome).toBe(m < 8 * lanes ? 'KPS.1001' : 'value');
      }),
      { numRuns: 300 },
    );
  });
});

describe('serialize → parse round trips', () => {
  it('every key type, every format, random comments and passphrases', async () => {
    const formats: FormatName[] = ['ppk2', 'ppk3', 'openssh', 'pem', 'pkcs8', 'public-openssh', 'public-rfc4716'];
    const comment = fc.string({ maxLength: 120 }).filter((c) => !/[\r\n]/.test(c) && c.trim() === c && !c.includes('"'));
    await fc.assert(
      fc.asyncProperty(
        fc.nat(keys.length - 1),
        fc.constantFrom(...formats),
        comment,
        fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: undefined }),
        async (k, format, c, passphrase) => {
          const key = keys[k] as PrivateKey;
          const pass = format.startsWith('public-') ? undefined : passphrase;
          const text = await writeKey(format, { publicKey: key, privateKey: key }, { comment: c, passphrase: pass });
          const back = await readKey(text, pass);
          expect(sha256Fingerprint(back.publicKey)).toBe(sha256Fingerprint(key));
          expect(back.encrypted).toBe(Boolean(pass));
          if (!format.startsWith('public-')) expect(back.privateKey).toEqual(key);
          const keepsComment =
            ['ppk2', 'ppk3', 'openssh', 'public-openssh', 'public-rfc4716'].includes(format) || (format === 'pem' && key.type === 'ssh-ed25519');
          if (keepsComment) expect(back.comment).toBe(format === 'public-openssh' ? c.trim() : c);
        },
      ),
      { numRuns: 60 },
    );
  });
});
