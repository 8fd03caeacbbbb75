/**
 * OpenSSH private keys, `openssh-key-v1` (OpenSSH PROTOCOL.key; reference key-formats.md §3).
 * Writes what ssh-keygen writes: aes256-ctr under bcrypt_pbkdf with 16 rounds and a 16-byte
 * salt (never GCM, which PuTTYgen and sshpk cannot read). Reads none, aes128/192/256-ctr and
 * -cbc, 3des-cbc and aes128/256-gcm@openssh.com. chacha20-poly1305@openssh.com is refused with a
 * clear error: node:crypto has no raw Poly1305 for its MAC.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { randomBytes } from '../../crypto/random.js';
import { KpsErrors, kpsError, malformed } from '../errors.js';
import { bcryptPbkdf } from '../kdf.js';
import { checkBcryptRounds } from '../kdf-bounds.js';
import { checkPublic, parsePublicBlob, privateMatchesPublic, publicBlob, readPublicFields, sameBlob, type PrivateKey } from '../key.js';
import { WireReader, WireWriter } from '../wire.js';
import { armorLabel, readArmor, writeArmor } from './armor.js';
import { checkComment } from './text.js';
import type { ParsedKey, ParseOptions, PrivateCodec, WriteOptions } from './types.js';

const FORMAT = 'OpenSSH private key';
const LABEL = 'OPENSSH PRIVATE KEY';
const MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');

/** What ssh-keygen writes; the rounds a file may ask for are bounded in ../kdf-bounds.ts. */
export const WRITE_ROUNDS = 16;

interface CipherInfo {
  node: string;
  keyLen: number;
  ivLen: number;
  block: number;
  /** AEAD tag length (GCM), appended after the private section. */
  tagLen: number;
}

const CIPHERS: Record<string, CipherInfo> = {
  'aes128-ctr': { node: 'aes-128-ctr', keyLen: 16, ivLen: 16, block: 16, tagLen: 0 },
  'aes192-ctr': { node: 'aes-192-ctr', keyLen: 24, ivLen: 16, block: 16, tagLen: 0 },
  'aes256-ctr': { node: 'aes-256-ctr', keyLen: 32, ivLen: 16, block: 16, tagLen: 0 },
  'aes128-cbc': { node: 'aes-128-cbc', keyLen: 16, ivLen: 16, block: 16, tagLen: 0 },
  'aes192-cbc': { node: 'aes-192-cbc', keyLen: 24, ivLen: 16, block: 16, tagLen: 0 },
  'aes256-cbc': { node: 'aes-256-cbc', keyLen: 32, ivLen: 16, block: 16, tagLen: 0 },
  '3des-cbc': { node: 'des-ede3-cbc', keyLen: 24, ivLen: 8, block: 8, tagLen: 0 },
  'aes128-gcm@openssh.com': { node: 'aes-128-gcm', keyLen: 16, ivLen: 12, block: 16, tagLen: 16 },
  'aes256-gcm@openssh.com': { node: 'aes-256-gcm', keyLen: 32, ivLen: 12, block: 16, tagLen: 16 },
};

function decrypt(info: CipherInfo, key: Buffer, iv: Buffer, data: Buffer, tag: Buffer): Buffer | null {
  if (info.tagLen) {
    const d = createDecipheriv(info.node as 'aes-256-gcm', key, iv, { authTagLength: 16 });
    d.setAuthTag(tag);
    const out = d.update(data);
    try {
      return Buffer.concat([out, d.final()]);
    } catch {
      return null;
    }
  }
  const d = createDecipheriv(info.node, key, iv).setAutoPadding(false);
  return Buffer.concat([d.update(data), d.final()]);
}

function readPrivateEntry(r: WireReader): PrivateKey {
  const type = r.name('private key type');
  const pub = readPublicFields(r, type, FORMAT);
  switch (pub.type) {
    case 'ssh-rsa': {
      // The private entry orders RSA as n, e (readPublicFields read e then n; swap back).
      const n = pub.e;
      const e = pub.n;
      return { type: 'ssh-rsa', n, e, d: r.mpint('RSA d'), iqmp: r.mpint('RSA iqmp'), p: r.mpint('RSA p'), q: r.mpint('RSA q') };
    }
    case 'ssh-dss':
      return { ...pub, x: r.mpint('DSA x') };
    case 'ssh-ed25519': {
      const both = r.string('Ed25519 private key');
      if (both.length !== 64 || !both.subarray(32).equals(pub.A)) r.fail('Ed25519 private key', 'must be the 32-byte seed followed by the public key');
      return { ...pub, seed: both.subarray(0, 32) };
    }
    default:
      return { ...pub, d: r.mpint('ECDSA private key') };
  }
}

function writePrivateEntry(w: WireWriter, k: PrivateKey): void {
  w.string(k.type);
  switch (k.type) {
    case 'ssh-rsa':
      w.mpint(k.n).mpint(k.e).mpint(k.d).mpint(k.iqmp).mpint(k.p).mpint(k.q);
      return;
    case 'ssh-dss':
      w.mpint(k.p).mpint(k.q).mpint(k.g).mpint(k.y).mpint(k.x);
      return;
    case 'ssh-ed25519':
      w.string(k.A).string(Buffer.concat([k.seed, k.A]));
      return;
    default:
      w.string(k.curve).string(k.Q).mpint(k.d);
  }
}

async function parse(text: string, opts: ParseOptions): Promise<ParsedKey> {
  const armored = readArmor(text, FORMAT);
  if (armored.label !== LABEL) throw malformed(FORMAT, 'BEGIN line', 0, `label is ${armored.label}`);
  const base = armored.bodyOffset;
  const r = new WireReader(armored.body, FORMAT);
  if (!r.bytes('magic', MAGIC.length).equals(MAGIC)) throw malformed(FORMAT, 'magic', base, 'not "openssh-key-v1"');
  const cipherName = r.name('cipher name');
  const kdfName = r.name('kdf name');
  const kdfOptions = r.string('kdf options');
  const nkeys = r.uint32('number of keys');
  if (nkeys !== 1) r.fail('number of keys', `${nkeys} keys; exactly one is supported`);
  const pubBlob = r.string('public key');
  const pub = parsePublicBlob(pubBlob, FORMAT);
  const section = r.string('private section');
  const encrypted = cipherName !== 'none';
  const info = CIPHERS[cipherName];
  // An unknown cipher may append a tag (chacha20-poly1305 does): only known ciphers are held to the exact length.
  const tag = info?.tagLen ? r.bytes('authentication tag', info.tagLen) : Buffer.alloc(0);
  if (r.remaining && (info || !encrypted)) r.fail('end of key', 'trailing bytes');
  if (encrypted !== (kdfName !== 'none')) r.fail('kdf name', `kdf ${kdfName} does not go with cipher ${cipherName}`);
  if (encrypted && kdfName !== 'bcrypt') throw kpsError(KpsErrors.Unsupported, `${FORMAT}: kdf ${JSON.stringify(kdfName.slice(0, 40))} is not supported.`);
  let salt: Buffer = Buffer.alloc(0);
  let rounds = 0;
  if (encrypted) {
    const k = new WireReader(kdfOptions, FORMAT);
    salt = k.string('bcrypt salt');
    rounds = k.uint32('bcrypt rounds');
    if (salt.length < 4 || salt.length > 64) k.fail('bcrypt salt', 'length out of bounds');
    checkBcryptRounds(FORMAT, rounds);
  } else if (kdfOptions.length) {
    r.fail('kdf options', 'must be empty without a kdf');
  }
  const result: ParsedKey = { format: 'openssh', encrypted, comment: '', publicKey: pub };
  // The public half is in the clear: without a passphrase inspect still has what it needs.
  if (encrypted && !opts.passphrase) return result;
  if (encrypted && !info) {
    throw kpsError(
      KpsErrors.Unsupported,
      `${FORMAT}: cipher ${JSON.stringify(cipherName.slice(0, 40))} is not supported; re-save the key with ssh-keygen -p -Z aes256-ctr.`,
    );
  }
  const block = info?.block ?? 8;
  if (section.length % block !== 0 || section.length < 8) throw malformed(FORMAT, 'private section', undefined, `length is not a multiple of ${block}`);
  let plain = section;
  if (encrypted && info) {
    const kiv = await bcryptPbkdf(opts.passphrase as string, salt, rounds, info.keyLen + info.ivLen);
    const out = decrypt(info, kiv.subarray(0, info.keyLen), kiv.subarray(info.keyLen), section, tag);
    if (!out) throw kpsError(KpsErrors.WrongPassphrase, `${FORMAT}: wrong passphrase (or the file was altered).`);
    plain = out;
  }
  const p = new WireReader(plain, FORMAT);
  const check1 = p.uint32('checkint');
  const check2 = p.uint32('checkint');
  if (check1 !== check2) {
    if (encrypted) throw kpsError(KpsErrors.WrongPassphrase, `${FORMAT}: wrong passphrase.`);
    p.fail('checkint', 'the two check values differ');
  }
  const privateKey = readPrivateEntry(p);
  const comment = p.string('comment').toString('utf8');
  const padding = p.rest();
  if (!padding.every((b, i) => b === ((i + 1) & 0xff))) throw malformed(FORMAT, 'padding', undefined, 'not 1, 2, 3, …');
  if (!sameBlob(privateKey, pub)) throw malformed(FORMAT, 'private section', undefined, 'its key differs from the public key');
  if (!privateMatchesPublic(privateKey)) throw malformed(FORMAT, 'private section', undefined, 'the private key does not match the public key');
  return { ...result, comment, privateKey };
}

async function serialize(key: PrivateKey, opts: WriteOptions): Promise<string> {
  const comment = checkComment(opts.comment);
  checkPublic(key, FORMAT);
  const encrypted = Boolean(opts.passphrase);
  const info = CIPHERS['aes256-ctr'] as CipherInfo;
  const block = encrypted ? info.block : 8;
  const check = randomBytes(4).readUInt32BE(0);
  const w = new WireWriter().uint32(check).uint32(check);
  writePrivateEntry(w, key);
  w.string(comment);
  let section = w.toBuffer();
  const padLen = (block - (section.length % block)) % block;
  section = Buffer.concat([section, Buffer.from(Array.from({ length: padLen }, (_, i) => i + 1))]);
  let kdfOptions: Buffer = Buffer.alloc(0);
  if (encrypted) {
    const salt = randomBytes(16);
    kdfOptions = new WireWriter().string(salt).uint32(WRITE_ROUNDS).toBuffer();
    const kiv = await bcryptPbkdf(opts.passphrase as string, salt, WRITE_ROUNDS, info.keyLen + info.ivLen);
    const c = createCipheriv(info.node, kiv.subarray(0, info.keyLen), kiv.subarray(info.keyLen));
    section = Buffer.concat([c.update(section), c.final()]);
  }
  const body = new WireWriter()
    .raw(MAGIC)
    .string(encrypted ? 'aes256-ctr' : 'none')
    .string(encrypted ? 'bcrypt' : 'none')
    .string(kdfOptions)
    .uint32(1)
    .string(publicBlob(key))
    .string(section)
    .toBuffer();
  return writeArmor(LABEL, body, 70);
}

export const opensshPrivate: PrivateCodec = {
  detect: (text) => armorLabel(text) === LABEL,
  parse,
  serialize,
};
