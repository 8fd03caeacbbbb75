/**
 * PuTTY private key files, versions 2 and 3 (PuTTY manual Appendix C; reference
 * key-formats.md §2), read and written, encrypted (aes256-cbc) or not, every key type.
 *
 * Written here because no library does PPK fully: sshpk never checks the MAC, cannot read
 * encrypted v3 and writes only public parts; node-forge writes v2 RSA only; ssh2 reads v2
 * RSA/DSA only. The MAC is always verified (unencrypted files too, as PuTTYgen does), Argon2
 * costs are bounded (kdf-bounds.ts) before anything is allocated, and LF, CRLF and CR line ends are accepted.
 */
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { randomBytes } from '../../crypto/random.js';
import { KpsErrors, kpsError, malformed } from '../errors.js';
import { argon2Raw, type Argon2Variant } from '../kdf.js';
import { checkArgon2 } from '../kdf-bounds.js';
import { checkPublic, isKeyType, parsePublicBlob, privateMatchesPublic, publicBlob, unsupportedType, type PrivateKey, type PublicKey } from '../key.js';
import { ppk2Keys } from '../legacy/ppk2-kdf.js';
import { WireReader, WireWriter } from '../wire.js';
import { checkComment, splitLines, strictBase64, wrap, type Line } from './text.js';
import type { ParsedKey, ParseOptions, PrivateCodec, WriteOptions } from './types.js';

/** Argon2 salts: PuTTYgen writes 16 bytes. (The cost bounds are in ../kdf-bounds.ts.) */
const SALT_BYTES = { min: 8, max: 64 } as const;

/** What this writer uses for v3: PuTTYgen 0.78's defaults on this machine (reference §2.1). */
export const PPK3_DEFAULTS = { variant: 'Argon2id' as Argon2Variant, memoryKiB: 8192, passes: 21, parallelism: 1 };

const MAX_LINES = 8192;
const VARIANTS: readonly Argon2Variant[] = ['Argon2d', 'Argon2i', 'Argon2id'];

interface Argon2Header {
  variant: Argon2Variant;
  memoryKiB: number;
  passes: number;
  parallelism: number;
  salt: Buffer;
}

interface Derived {
  cipherKey: Buffer;
  iv: Buffer;
  macKey: Buffer;
}

async function deriveKeys(version: 2 | 3, passphrase: string, argon: Argon2Header | undefined): Promise<Derived> {
  if (version === 2) return ppk2Keys(passphrase);
  if (!argon) return { cipherKey: Buffer.alloc(0), iv: Buffer.alloc(0), macKey: Buffer.alloc(0) };
  const out = await argon2Raw(argon.variant, passphrase, argon.salt, argon, 80);
  return { cipherKey: out.subarray(0, 32), iv: out.subarray(32, 48), macKey: out.subarray(48, 80) };
}

function mac(version: 2 | 3, key: Buffer, fields: { alg: string; encryption: string; comment: Buffer; pub: Buffer; priv: Buffer }): Buffer {
  const data = new WireWriter().string(fields.alg).string(fields.encryption).string(fields.comment).string(fields.pub).string(fields.priv).toBuffer();
  return createHmac(version === 2 ? 'sha1' : 'sha256', key)
    .update(data)
    .digest();
}

function privateBlob(k: PrivateKey): Buffer {
  const w = new WireWriter();
  switch (k.type) {
    case 'ssh-rsa':
      return w.mpint(k.d).mpint(k.p).mpint(k.q).mpint(k.iqmp).toBuffer();
    case 'ssh-dss':
      return w.mpint(k.x).toBuffer();
    case 'ssh-ed25519':
      // PuTTYgen writes the seed as a fixed 32-byte string, not as an mpint (reference §2.5).
      return w.string(k.seed).toBuffer();
    default:
      return w.mpint(k.d).toBuffer();
  }
}

function readPrivate(pub: PublicKey, blob: Buffer, format: string): PrivateKey {
  const r = new WireReader(blob, format);
  switch (pub.type) {
    case 'ssh-rsa':
      return { ...pub, d: r.mpint('RSA d'), p: r.mpint('RSA p'), q: r.mpint('RSA q'), iqmp: r.mpint('RSA iqmp') };
    case 'ssh-dss':
      return { ...pub, x: r.mpint('DSA x') };
    case 'ssh-ed25519': {
      // Read tolerantly: a 33-byte mpint-style value loses its 0x00, shorter ones are left-padded.
      let seed = r.string('Ed25519 private key');
      if (seed.length === 33 && seed[0] === 0) seed = seed.subarray(1);
      if (seed.length > 32) r.fail('Ed25519 private key', 'longer than 32 bytes');
      if (seed.length < 32) seed = Buffer.concat([Buffer.alloc(32 - seed.length), seed]);
      return { ...pub, seed };
    }
    default:
      return { ...pub, d: r.mpint('ECDSA private key') };
  }
}

class Lines {
  private i = 0;
  constructor(
    private readonly lines: Line[],
    private readonly format: string,
  ) {}

  private next(field: string): Line {
    const line = this.lines[this.i++];
    if (!line) throw malformed(this.format, field, undefined, 'missing (file truncated)');
    return line;
  }

  header(name: string): { value: string; offset: number } {
    const line = this.next(name);
    const m = /^([^:]{1,39}): (.*)$/.exec(line.text);
    if (!m || (m[1] as string).toLowerCase() !== name.toLowerCase()) throw malformed(this.format, name, line.offset, `expected the "${name}" header`);
    return { value: m[2] as string, offset: line.offset };
  }

  count(name: string): number {
    const h = this.header(name);
    if (!/^\d{1,5}$/.test(h.value) || Number(h.value) > MAX_LINES) throw malformed(this.format, name, h.offset, 'not a line count');
    return Number(h.value);
  }

  base64(name: string, n: number): Buffer {
    const parts: Buffer[] = [];
    for (let k = 0; k < n; k++) {
      const line = this.next(name);
      // PuTTY wraps at 64 and requires each line to be whole base64 quads.
      if (line.text.length > 64) throw malformed(this.format, name, line.offset, 'line longer than 64 characters');
      parts.push(strictBase64(line.text, this.format, name, line.offset));
    }
    return Buffer.concat(parts);
  }

  trailing(): void {
    const extra = this.lines.slice(this.i).find((l) => l.text.trim() !== '');
    if (extra) throw malformed(this.format, 'end of file', extra.offset, 'unexpected content after Private-MAC');
  }
}

/** A decimal header value; its bound is checked with the others in readArgon2. */
function decimal(h: { value: string; offset: number }, field: string, format: string): number {
  if (!/^\d{1,10}$/.test(h.value)) throw malformed(format, field, h.offset, 'not a number');
  return Number(h.value);
}

function readArgon2(lines: Lines, format: string): Argon2Header {
  const kd = lines.header('Key-Derivation');
  const variant = VARIANTS.find((v) => v.toLowerCase() === kd.value.toLowerCase());
  if (!variant) throw kpsError(KpsErrors.Unsupported, `${format}: key derivation ${JSON.stringify(kd.value.slice(0, 32))} is not supported.`);
  const memoryKiB = decimal(lines.header('Argon2-Memory'), 'Argon2-Memory', format);
  const passes = decimal(lines.header('Argon2-Passes'), 'Argon2-Passes', format);
  const parallelism = decimal(lines.header('Argon2-Parallelism'), 'Argon2-Parallelism', format);
  checkArgon2(format, { memoryKiB, passes, parallelism });
  if (memoryKiB < 8 * parallelism) throw malformed(format, 'Argon2-Memory', undefined, 'less than 8 KiB per lane');
  const s = lines.header('Argon2-Salt');
  if (!/^([0-9a-fA-F]{2})+$/.test(s.value)) throw malformed(format, 'Argon2-Salt', s.offset, 'not hex');
  const salt = Buffer.from(s.value, 'hex');
  if (salt.length < SALT_BYTES.min || salt.length > SALT_BYTES.max) throw malformed(format, 'Argon2-Salt', s.offset, 'salt length out of bounds');
  return { variant, memoryKiB, passes, parallelism, salt };
}

export function detectPpk(text: string): boolean {
  return /^PuTTY-User-Key-File-\d+:/i.test(text.replace(/^\uFEFF/, ''));
}

async function parsePpk(text: string, opts: ParseOptions): Promise<ParsedKey> {
  const body = text.replace(/^\uFEFF/, '');
  const versionMatch = /^PuTTY-User-Key-File-(\d{1,3}):/i.exec(body);
  const version = Number(versionMatch?.[1]);
  if (version !== 2 && version !== 3) throw kpsError(KpsErrors.Unsupported, `PPK: version ${versionMatch?.[1] ?? '?'} is not supported (2 and 3 are).`);
  const format = `PPK v${version}`;
  const lines = new Lines(splitLines(body), format);
  const alg = lines.header(`PuTTY-User-Key-File-${version}`).value;
  if (!isKeyType(alg)) throw unsupportedType(format, alg);
  const enc = lines.header('Encryption');
  if (enc.value !== 'none' && enc.value !== 'aes256-cbc')
    throw kpsError(KpsErrors.Unsupported, `${format}: encryption ${JSON.stringify(enc.value.slice(0, 32))} is not supported.`);
  const encrypted = enc.value === 'aes256-cbc';
  const comment = lines.header('Comment').value;
  const pubBlob = lines.base64('Public-Lines', lines.count('Public-Lines'));
  const pub = parsePublicBlob(pubBlob, format);
  if (pub.type !== alg) throw malformed(format, 'Public-Lines', undefined, `key type ${pub.type} does not match the header's ${alg}`);
  const argon = version === 3 && encrypted ? readArgon2(lines, format) : undefined;
  const privEnc = lines.base64('Private-Lines', lines.count('Private-Lines'));
  const macLine = lines.header('Private-MAC');
  const macLen = version === 2 ? 20 : 32;
  if (!new RegExp(`^[0-9a-fA-F]{${macLen * 2}}$`).test(macLine.value)) throw malformed(format, 'Private-MAC', macLine.offset, `not ${macLen * 2} hex digits`);
  lines.trailing();
  const base: ParsedKey = { format: version === 2 ? 'ppk2' : 'ppk3', encrypted, comment, publicKey: pub };
  // Without a passphrase an encrypted file still yields its public half (inspect needs no more).
  if (encrypted && !opts.passphrase) return base;
  if (encrypted && privEnc.length % 16 !== 0) throw malformed(format, 'Private-Lines', undefined, 'encrypted data is not a whole number of AES blocks');
  const keys = await deriveKeys(version, encrypted ? (opts.passphrase as string) : '', argon);
  let priv = privEnc;
  if (encrypted) {
    const d = createDecipheriv('aes-256-cbc', keys.cipherKey, keys.iv).setAutoPadding(false);
    priv = Buffer.concat([d.update(privEnc), d.final()]);
  }
  const expected = mac(version, keys.macKey, { alg, encryption: enc.value, comment: Buffer.from(comment, opts.encoding ?? 'utf8'), pub: pubBlob, priv });
  if (!timingSafeEqual(expected, Buffer.from(macLine.value, 'hex'))) {
    throw kpsError(
      KpsErrors.WrongPassphrase,
      encrypted
        ? `${format}: wrong passphrase (or the file was altered: the MAC does not verify).`
        : `${format}: the MAC does not verify; the file was altered.`,
    );
  }
  const privateKey = readPrivate(pub, priv, format);
  if (!privateMatchesPublic(privateKey)) throw malformed(format, 'Private-Lines', undefined, 'the private key does not match the public key');
  return { ...base, privateKey };
}

async function serializePpk(version: 2 | 3, key: PrivateKey, opts: WriteOptions): Promise<string> {
  const comment = checkComment(opts.comment);
  const encrypted = Boolean(opts.passphrase);
  const encryption = encrypted ? 'aes256-cbc' : 'none';
  const pub = publicBlob(checkPublic(key, 'PPK'));
  let priv = privateBlob(key);
  // Encrypted blobs are padded to the AES block (arbitrary bytes; none when already aligned).
  if (encrypted && priv.length % 16) priv = Buffer.concat([priv, randomBytes(16 - (priv.length % 16))]);
  const argon: Argon2Header | undefined = version === 3 && encrypted ? { ...PPK3_DEFAULTS, salt: randomBytes(16) } : undefined;
  const keys = await deriveKeys(version, opts.passphrase ?? '', argon);
  const macHex = mac(version, keys.macKey, { alg: key.type, encryption, comment: Buffer.from(comment, 'utf8'), pub, priv }).toString('hex');
  let privOut = priv;
  if (encrypted) {
    const c = createCipheriv('aes-256-cbc', keys.cipherKey, keys.iv).setAutoPadding(false);
    privOut = Buffer.concat([c.update(priv), c.final()]);
  }
  const pubLines = wrap(pub.toString('base64'), 64);
  const privLines = wrap(privOut.toString('base64'), 64);
  const out = [
    `PuTTY-User-Key-File-${version}: ${key.type}`,
    `Encryption: ${encryption}`,
    `Comment: ${comment}`,
    `Public-Lines: ${pubLines.length}`,
    ...pubLines,
  ];
  if (argon) {
    out.push(
      `Key-Derivation: ${argon.variant}`,
      `Argon2-Memory: ${argon.memoryKiB}`,
      `Argon2-Passes: ${argon.passes}`,
      `Argon2-Parallelism: ${argon.parallelism}`,
      `Argon2-Salt: ${argon.salt.toString('hex')}`,
    );
  }
  out.push(`Private-Lines: ${privLines.length}`, ...privLines, `Private-MAC: ${macHex}`);
  return `${out.join('\n')}\n`;
}

export const ppk: PrivateCodec & { serializeVersion(version: 2 | 3, key: PrivateKey, opts: WriteOptions): Promise<string> } = {
  detect: detectPpk,
  parse: parsePpk,
  serialize: (key, opts) => serializePpk(3, key, opts),
  serializeVersion: serializePpk,
};
