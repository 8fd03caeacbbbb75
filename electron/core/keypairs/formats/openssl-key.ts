/**
 * Reading PEM-family private keys through OpenSSL (node:crypto), shared by pem.ts and
 * pkcs8.ts: OpenSSL does the ASN.1 and the decryption; this maps its failures to the KPS
 * errors and its key objects to the key model.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { KpsErrors, kpsError, malformed } from '../errors.js';
import { checkPublic, fromKeyObject, privateMatchesPublic, publicOf, type PrivateKey } from '../key.js';
import { writeArmor, type Armored } from './armor.js';

export function rebuildPem(a: Armored): string {
  const headers = a.headers.map(([k, v]) => `${k}: ${v}\n`).join('');
  const body = writeArmor(a.label, a.body, 64);
  return headers ? body.replace('-----\n', `-----\n${headers}\n`) : body;
}

export function openWithOpenSsl(a: Armored, format: string, encrypted: boolean, passphrase: string | undefined): PrivateKey {
  if (encrypted && !passphrase) throw kpsError(KpsErrors.PassphraseRequired, `${format}: the file is encrypted; give its passphrase.`);
  let ko: KeyObject;
  try {
    ko = createPrivateKey({ key: rebuildPem(a), format: 'pem', ...(encrypted ? { passphrase: passphrase as string } : {}) });
  } catch {
    if (encrypted) throw kpsError(KpsErrors.WrongPassphrase, `${format}: wrong passphrase (or the file was altered).`);
    throw malformed(format, 'key structure', a.bodyOffset, 'OpenSSL cannot decode it');
  }
  let key: PrivateKey;
  try {
    key = fromKeyObject(ko, format);
  } catch (e) {
    if (e instanceof Error && e.name === 'KeyholdError') throw e;
    throw malformed(format, 'key structure', a.bodyOffset, 'unusable key parameters');
  }
  checkPublic(publicOf(key), format);
  if (!privateMatchesPublic(key)) throw malformed(format, 'key structure', a.bodyOffset, 'the private key does not match its public key');
  return key;
}
