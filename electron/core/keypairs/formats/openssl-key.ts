/**
 * Reading PEM-family private keys through OpenSSL (node:crypto), shared by pem.ts and
 * pkcs8.ts: OpenSSL does the ASN.1 and the decryption; this maps its failures to the KPS
 * errors and its key objects to the key model. An encrypted file is opened on the KDF thread
 * (kdf-thread.ts), since OpenSSL runs the file's KDF synchronously; the caller has bounded it.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { KpsErrors, kpsError, malformed } from '../errors.js';
import { openPemOffLoop } from '../kdf-thread.js';
import { checkPublic, fromKeyObject, privateMatchesPublic, publicOf, type PrivateKey } from '../key.js';
import { writeArmor, type Armored } from './armor.js';

export function rebuildPem(a: Armored): string {
  const headers = a.headers.map(([k, v]) => `${k}: ${v}\n`).join('');
  const body = writeArmor(a.label, a.body, 64);
  return headers ? body.replace('-----\n', `-----\n${headers}\n`) : body;
}

/** The key of an encrypted file, decrypted off the event loop; null when OpenSSL refuses it. */
async function decryptOffLoop(a: Armored, passphrase: string): Promise<KeyObject | null> {
  const der = await openPemOffLoop(rebuildPem(a), passphrase);
  if (!der) return null;
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0);
  }
}

export async function openWithOpenSsl(a: Armored, format: string, encrypted: boolean, passphrase: string | undefined): Promise<PrivateKey> {
  if (encrypted && !passphrase) throw kpsError(KpsErrors.PassphraseRequired, `${format}: the file is encrypted; give its passphrase.`);
  let ko: KeyObject | null;
  try {
    ko = encrypted ? await decryptOffLoop(a, passphrase as string) : createPrivateKey({ key: rebuildPem(a), format: 'pem' });
  } catch (e) {
    if (e instanceof Error && e.name === 'KeyholdError') throw e;
    ko = null;
  }
  if (!ko) {
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
