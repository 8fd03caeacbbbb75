/**
 * LEGACY: OpenSSL's EVP_BytesToKey with MD5 and one iteration, the key derivation of
 * traditional encrypted PEM (`Proc-Type: 4,ENCRYPTED` / `DEK-Info`). Weak, but it is what
 * ssh-keygen -m PEM and PuTTYgen's "export OpenSSH (old)" write. Used only to write DSA keys in
 * that form, which node:crypto cannot export itself; reading goes through OpenSSL.
 */
import { createHash } from 'node:crypto';

export function evpBytesToKey(passphrase: string, salt: Buffer, keyLength: number): Buffer {
  const pass = Buffer.from(passphrase, 'utf8');
  const out: Buffer[] = [];
  let prev = Buffer.alloc(0);
  let total = 0;
  while (total < keyLength) {
    prev = createHash('md5').update(prev).update(pass).update(salt.subarray(0, 8)).digest();
    out.push(prev);
    total += prev.length;
  }
  return Buffer.concat(out).subarray(0, keyLength);
}
