/**
 * Detection by content and the one entry point for reading and writing key files in any of
 * the formats: each format is its own codec in this folder.
 */
import { KeyholdError } from '../../../../shared/errors.js';
import { KpsErrors, kpsError } from '../errors.js';
import type { PrivateKey, PublicKey } from '../key.js';
import { opensshPrivate } from './openssh-private.js';
import { opensshPublic } from './openssh-public.js';
import { pem } from './pem.js';
import { pkcs8 } from './pkcs8.js';
import { ppk } from './ppk.js';
import { rfc4716 } from './rfc4716.js';
import type { FormatName, ParsedKey } from './types.js';

export { FORMAT_NAMES, type FormatName, type ParsedKey } from './types.js';

/** Key files are small; anything larger is not one (and is not read into memory whole). */
export const MAX_KEY_FILE_BYTES = 1024 * 1024;

type Detected = 'ppk' | 'openssh' | 'pem' | 'pkcs8' | 'public-rfc4716' | 'public-openssh';

export function detect(text: string): Detected | undefined {
  if (ppk.detect(text)) return 'ppk';
  if (opensshPrivate.detect(text)) return 'openssh';
  if (pem.detect(text)) return 'pem';
  if (pkcs8.detect(text)) return 'pkcs8';
  if (rfc4716.detect(text)) return 'public-rfc4716';
  if (opensshPublic.detect(text)) return 'public-openssh';
  return undefined;
}

function decode(input: Buffer): { text: string; encoding: 'utf8' | 'latin1' } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(input), encoding: 'utf8' };
  } catch {
    return { text: input.toString('latin1'), encoding: 'latin1' };
  }
}

/** Reads any supported key file. Without a passphrase, encrypted PPK/OpenSSH files give their public half. */
export async function readKey(input: Buffer | string, passphrase?: string): Promise<ParsedKey> {
  if (input.length > MAX_KEY_FILE_BYTES)
    throw kpsError(KpsErrors.UnknownFormat, `The input is ${input.length} bytes; key files are at most ${MAX_KEY_FILE_BYTES}.`);
  const { text, encoding } = typeof input === 'string' ? { text: input, encoding: 'utf8' as const } : decode(input);
  const opts = passphrase === undefined || passphrase === '' ? { encoding } : { passphrase, encoding };
  switch (detect(text)) {
    case 'ppk':
      return ppk.parse(text, opts);
    case 'openssh':
      return opensshPrivate.parse(text, opts);
    case 'pem':
      return pem.parse(text, opts);
    case 'pkcs8':
      return pkcs8.parse(text, opts);
    case 'public-rfc4716':
      return rfc4716.parse(text);
    case 'public-openssh':
      return opensshPublic.parse(text);
    default:
      throw kpsError(KpsErrors.UnknownFormat, 'Not a key format Keyhold reads (PPK v2/v3, OpenSSH, PEM, PKCS#8, an OpenSSH public key line or RFC 4716).');
  }
}

/** Reads a file that must hold a private key, asking for the passphrase when it is needed. */
export async function readPrivateKey(input: Buffer | string, passphrase?: string): Promise<ParsedKey & { privateKey: PrivateKey }> {
  const parsed = await readKey(input, passphrase);
  if (parsed.privateKey) return parsed as ParsedKey & { privateKey: PrivateKey };
  if (parsed.format.startsWith('public-')) throw kpsError(KpsErrors.FormatMismatch, 'The file holds a public key only; a private key is needed.');
  throw kpsError(KpsErrors.PassphraseRequired, 'The private key is encrypted; give its passphrase (--passphrase-file).');
}

const PRIVATE: Record<
  Exclude<FormatName, 'public-openssh' | 'public-rfc4716'>,
  (k: PrivateKey, o: { comment: string; passphrase?: string }) => Promise<string>
> = {
  ppk2: (k, o) => ppk.serializeVersion(2, k, o),
  ppk3: (k, o) => ppk.serializeVersion(3, k, o),
  openssh: (k, o) => opensshPrivate.serialize(k, o),
  pem: (k, o) => pem.serialize(k, o),
  pkcs8: (k, o) => pkcs8.serialize(k, o),
};

export function isPrivateFormat(f: FormatName): f is keyof typeof PRIVATE {
  return f in PRIVATE;
}

/** Writes a key in `format`; private formats need the private key, public ones take either. */
export async function writeKey(
  format: FormatName,
  key: { publicKey: PublicKey; privateKey?: PrivateKey },
  opts: { comment: string; passphrase?: string },
): Promise<string> {
  if (format === 'public-openssh') return opensshPublic.serialize(key.publicKey, opts.comment);
  if (format === 'public-rfc4716') return rfc4716.serialize(key.publicKey, opts.comment);
  if (!key.privateKey) throw kpsError(KpsErrors.FormatMismatch, `Format ${format} holds a private key, and only the public key is known.`);
  try {
    return await PRIVATE[format](key.privateKey, opts);
  } catch (e) {
    if (e instanceof KeyholdError) throw e;
    // node:crypto refusing the components: the key read earlier was not a usable key.
    throw kpsError(KpsErrors.Malformed, `${format}: the key's parameters cannot be written (OpenSSL refused them).`);
  }
}
