/**
 * Traditional OpenSSL PEM private keys: PKCS#1 `RSA PRIVATE KEY`, SEC1 `EC PRIVATE KEY` and
 * `DSA PRIVATE KEY`, plain or with the legacy `Proc-Type: 4,ENCRYPTED` / `DEK-Info` encryption
 * (AES-128/192/256-CBC, DES-EDE3-CBC). Reading goes through OpenSSL. Writing uses node:crypto
 * for RSA and EC (never sshpk, whose RSA writer zeroes the CRT exponents) and a hand-built
 * DSAPrivateKey for DSA, which node:crypto cannot export traditionally. Ed25519 has no
 * traditional PEM: its `pem` output is the OpenSSH format, as ssh-keygen does.
 */
import { createCipheriv } from 'node:crypto';
import { randomBytes } from '../../crypto/random.js';
import { KpsErrors, kpsError, malformed } from '../errors.js';
import { dsaTraditional, publicOf, toKeyObject, type PrivateKey } from '../key.js';
import { evpBytesToKey } from '../legacy/evp-bytes-to-key.js';
import { armorLabel, readArmor, writeArmor } from './armor.js';
import { openWithOpenSsl } from './openssl-key.js';
import { opensshPrivate } from './openssh-private.js';
import type { ParsedKey, ParseOptions, PrivateCodec, WriteOptions } from './types.js';

const FORMAT = 'PEM';
const LABELS: Record<string, PrivateKey['type'][]> = {
  'RSA PRIVATE KEY': ['ssh-rsa'],
  'EC PRIVATE KEY': ['ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521'],
  'DSA PRIVATE KEY': ['ssh-dss'],
};
const DEK_CIPHERS = ['AES-128-CBC', 'AES-192-CBC', 'AES-256-CBC', 'DES-EDE3-CBC'];

async function parse(text: string, opts: ParseOptions): Promise<ParsedKey> {
  const a = readArmor(text, FORMAT);
  const types = LABELS[a.label];
  if (!types) throw malformed(FORMAT, 'BEGIN line', 0, `label ${a.label} is not a traditional private key`);
  const procType = a.headers.find(([k]) => k.toLowerCase() === 'proc-type')?.[1];
  const dekInfo = a.headers.find(([k]) => k.toLowerCase() === 'dek-info')?.[1];
  const encrypted = procType !== undefined;
  if (encrypted) {
    if (procType !== '4,ENCRYPTED') throw malformed(FORMAT, 'Proc-Type', undefined, 'must be "4,ENCRYPTED"');
    const m = /^([A-Z0-9-]+),([0-9A-Fa-f]+)$/.exec(dekInfo ?? '');
    if (!m) throw malformed(FORMAT, 'DEK-Info', undefined, 'must be "<cipher>,<hex IV>"');
    if (!DEK_CIPHERS.includes(m[1] as string))
      throw kpsError(KpsErrors.Unsupported, `${FORMAT}: DEK-Info cipher ${JSON.stringify((m[1] as string).slice(0, 32))} is not supported.`);
  }
  const key = await openWithOpenSsl(a, FORMAT, encrypted, opts.passphrase);
  if (!types.includes(key.type)) throw malformed(FORMAT, 'BEGIN line', 0, `label ${a.label} holds a ${key.type} key`);
  return { format: 'pem', encrypted, comment: '', publicKey: publicOf(key), privateKey: key };
}

function dsaPem(key: Extract<PrivateKey, { type: 'ssh-dss' }>, passphrase: string | undefined): string {
  const der = dsaTraditional(key);
  if (!passphrase) return writeArmor('DSA PRIVATE KEY', der, 64);
  const iv = randomBytes(16);
  const c = createCipheriv('aes-128-cbc', evpBytesToKey(passphrase, iv, 16), iv);
  const body = writeArmor('DSA PRIVATE KEY', Buffer.concat([c.update(der), c.final()]), 64);
  return body.replace('-----\n', `-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,${iv.toString('hex').toUpperCase()}\n\n`);
}

async function serialize(key: PrivateKey, opts: WriteOptions): Promise<string> {
  if (key.type === 'ssh-ed25519') return opensshPrivate.serialize(key, opts);
  if (key.type === 'ssh-dss') return dsaPem(key, opts.passphrase || undefined);
  const enc = opts.passphrase ? { cipher: 'aes-128-cbc', passphrase: opts.passphrase } : {};
  const type = key.type === 'ssh-rsa' ? 'pkcs1' : 'sec1';
  return toKeyObject(key).export({ format: 'pem', type, ...enc }) as string;
}

export const pem: PrivateCodec = {
  detect: (text) => {
    const label = armorLabel(text);
    return label !== undefined && label in LABELS;
  },
  parse,
  serialize,
};
