/**
 * LEGACY: PuTTY PPK version 2 key derivation (PuTTY manual, Appendix C). SHA-1 of the
 * passphrase with no salt and no work factor: weak by design, kept only so old files (and
 * WinSCP/old PuTTY users who need v2 output) keep working. Only formats/ppk.ts imports this.
 */
import { createHash } from 'node:crypto';

const MAC_KEY_PREFIX = 'putty-private-key-file-mac-key';

export function ppk2Keys(passphrase: string): { cipherKey: Buffer; iv: Buffer; macKey: Buffer } {
  const pass = Buffer.from(passphrase, 'utf8');
  const sha1 = (...parts: Buffer[]) => parts.reduce((h, p) => h.update(p), createHash('sha1')).digest();
  const cipherKey = Buffer.concat([sha1(Buffer.from([0, 0, 0, 0]), pass), sha1(Buffer.from([0, 0, 0, 1]), pass)]).subarray(0, 32);
  return { cipherKey, iv: Buffer.alloc(16), macKey: sha1(Buffer.from(MAC_KEY_PREFIX), pass) };
}
