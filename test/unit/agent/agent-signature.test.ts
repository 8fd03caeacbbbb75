/**
 * The agent's SSH signatures, checked by sshpk (an independent SSH implementation): each key
 * type signs in its RFC algorithm, RSA follows the request's flags to SHA-256/512, and a request
 * without SHA-2 flags (ssh-rsa, SHA-1) is refused unless the key pair allows it.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import sshpk from 'sshpk';
import { describe, expect, it } from 'vitest';
import { agentSignature } from '../../../electron/core/keypairs/agent/sign.js';
import { fromKeyObject, openSshLine, type PrivateKey } from '../../../electron/core/keypairs/key.js';
import { KeyholdError } from '../../../shared/errors.js';

function key(type: 'rsa' | 'ed25519' | 'P-256' | 'P-384' | 'P-521'): PrivateKey {
  const ko =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
      : type === 'ed25519'
        ? generateKeyPairSync('ed25519').privateKey
        : generateKeyPairSync('ec', { namedCurve: type }).privateKey;
  return fromKeyObject(ko, 'test');
}

/** Verifies an agent signature blob with sshpk; returns the algorithm name the blob carries. */
function verify(k: PrivateKey, data: Buffer, blob: Buffer, hash: 'sha1' | 'sha256' | 'sha384' | 'sha512'): string {
  const pub = sshpk.parseKey(openSshLine(k, ''), 'ssh');
  const sig = sshpk.parseSignature(blob, pub.type as sshpk.AlgorithmType, 'ssh');
  const v = pub.createVerify(hash as sshpk.AlgorithmHashType);
  v.update(data);
  expect(v.verify(sig)).toBe(true);
  return blob.subarray(4, 4 + blob.readUInt32BE(0)).toString();
}

describe('agentSignature', () => {
  const data = randomBytes(200);

  it('signs Ed25519 and ECDSA P-256/384/521 as their RFCs say', () => {
    const ed = key('ed25519');
    const s = agentSignature(ed, data, 0, false);
    expect(s.algorithm).toBe('ssh-ed25519');
    expect(verify(ed, data, s.blob, 'sha512')).toBe('ssh-ed25519');
    for (const [curve, hash] of [
      ['P-256', 'sha256'],
      ['P-384', 'sha384'],
      ['P-521', 'sha512'],
    ] as const) {
      const k = key(curve);
      const sig = agentSignature(k, data, 0, false);
      expect(sig.algorithm).toBe(k.type);
      expect(verify(k, data, sig.blob, hash)).toBe(k.type);
    }
  });

  it('signs RSA with SHA-256 or SHA-512 as the flags ask, and refuses SHA-1 unless allowed', () => {
    const rsa = key('rsa');
    const s256 = agentSignature(rsa, data, 2, false);
    expect(verify(rsa, data, s256.blob, 'sha256')).toBe('rsa-sha2-256');
    const s512 = agentSignature(rsa, data, 4, false);
    expect(verify(rsa, data, s512.blob, 'sha512')).toBe('rsa-sha2-512');
    const err = (() => {
      try {
        agentSignature(rsa, data, 0, false);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(KeyholdError);
    expect((err as KeyholdError).code).toBe('AGENT.0102');
    const sha1 = agentSignature(rsa, data, 0, true);
    expect(verify(rsa, data, sha1.blob, 'sha1')).toBe('ssh-rsa');
  });
});
