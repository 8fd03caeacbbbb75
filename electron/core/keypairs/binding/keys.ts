/**
 * Private keys given to binding (the login credential, the proof key): any unencrypted format
 * sshpk reads (OpenSSH, PEM PKCS#1/SEC1, PKCS#8), normalised to the OpenSSH form ssh2 loads
 * (ssh2 itself refuses PKCS#8 Ed25519). Errors never include the key text.
 */
import { createRequire } from 'node:module';
import type Sshpk from 'sshpk';
import { BindingErrors, bindingError } from './errors.js';

/** Loaded on first use: most processes (a file job, the server) never get here, and sshpk costs ~8 MB of RSS. */
let loaded: typeof Sshpk | undefined;
function sshpk(): typeof Sshpk {
  return (loaded ??= createRequire(import.meta.url)('sshpk') as typeof Sshpk);
}

export interface LoadedKey {
  /** OpenSSH private key text for ssh2. */
  openssh: string;
  /** Base64 RFC 4253 blob of the public half, as it appears in authorized_keys. */
  publicBlob: string;
}

export function loadPrivateKey(text: string, field: string): LoadedKey {
  let key: Sshpk.PrivateKey;
  try {
    key = sshpk().parsePrivateKey(text, 'auto');
  } catch (e) {
    const encrypted = e instanceof Error && e.name === 'KeyEncryptedError';
    const give = field === 'server.auth.key' ? 'give its passphrase in server.auth.passphrase, or the key unencrypted' : 'give it unencrypted';
    throw bindingError(
      BindingErrors.Invalid,
      `Invalid parameter ${field}: ${encrypted ? `an encrypted private key; ${give}` : 'not a private key Keyhold can read (OpenSSH, PEM or PKCS#8)'}.`,
    );
  }
  return { openssh: key.toString('openssh'), publicBlob: key.toPublic().toBuffer('rfc4253').toString('base64') };
}

/** The base64 blob of an OpenSSH public key line (a key pair's stored public key). */
export function publicBlobOfLine(line: string): string {
  return sshpk().parseKey(line, 'ssh').toBuffer('rfc4253').toString('base64');
}
