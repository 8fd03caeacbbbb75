/**
 * The signature an SSH agent returns (draft-miller-ssh-agent §4.5; RFC 4253 §6.6, RFC 8332,
 * RFC 5656 §3.1.2, RFC 8709): `string algorithm, string signature-blob`. RSA uses SHA-2 as the
 * request's flags ask; SHA-1 (`ssh-rsa`) only when the caller says the key pair allows it.
 */
import { sign } from 'node:crypto';
import { SSH_AGENT_RSA_SHA2_256, SSH_AGENT_RSA_SHA2_512, AgentErrors } from '../../../../shared/operations/ssh-agent.js';
import { KeyholdError } from '../../../../shared/errors.js';
import { EC_CURVES, toKeyObject, type PrivateKey } from '../key.js';
import { WireWriter } from '../wire.js';

/** RFC 5656 §6.2.1: the hash follows the curve size. */
const ECDSA_HASH = { nistp256: 'sha256', nistp384: 'sha384', nistp521: 'sha512' } as const;

function rsaAlgorithm(flags: number, allowSha1: boolean): { name: string; hash: string } {
  // OpenSSH's agent prefers SHA-256 when both bits are set; so does this one.
  if (flags & SSH_AGENT_RSA_SHA2_256) return { name: 'rsa-sha2-256', hash: 'sha256' };
  if (flags & SSH_AGENT_RSA_SHA2_512) return { name: 'rsa-sha2-512', hash: 'sha512' };
  if (allowSha1) return { name: 'ssh-rsa', hash: 'sha1' };
  throw new KeyholdError(
    AgentErrors.Sha1Refused,
    'An ssh-rsa (SHA-1) signature was asked for; this key pair signs only rsa-sha2-256/512 (allow it with ssh-agent set-key --allow-sha1 true).',
    403,
  );
}

/** Signs `data` with `key` as an SSH agent answers SSH_AGENTC_SIGN_REQUEST. */
export function agentSignature(key: PrivateKey, data: Buffer, flags: number, allowSha1: boolean): { algorithm: string; blob: Buffer } {
  const ko = toKeyObject(key);
  switch (key.type) {
    case 'ssh-ed25519':
      return {
        algorithm: key.type,
        blob: new WireWriter()
          .string(key.type)
          .string(sign(null, data, ko))
          .toBuffer(),
      };
    case 'ssh-rsa': {
      const { name, hash } = rsaAlgorithm(flags, allowSha1);
      return {
        algorithm: name,
        blob: new WireWriter()
          .string(name)
          .string(sign(hash, data, ko))
          .toBuffer(),
      };
    }
    case 'ssh-dss':
      throw new KeyholdError(AgentErrors.KeyTypeUnsupported, 'DSA key pairs are not used for ssh signatures (OpenSSH dropped DSA).', 400);
    default: {
      const bytes = EC_CURVES[key.curve].bytes;
      const rs = sign(ECDSA_HASH[key.curve], data, { key: ko, dsaEncoding: 'ieee-p1363' });
      const inner = new WireWriter().mpint(rs.subarray(0, bytes)).mpint(rs.subarray(bytes)).toBuffer();
      return { algorithm: key.type, blob: new WireWriter().string(key.type).string(inner).toBuffer() };
    }
  }
}
