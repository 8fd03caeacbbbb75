/**
 * Which server an ssh connection to the agent is for: OpenSSH (≥ 8.9) sends
 * `session-bind@openssh.com` with the server's host key and its signature over the session id
 * (PROTOCOL.agent). The signature is checked (sshpk) before the host key is believed; the
 * result is the host key's SHA256 fingerprint, as `ssh-keygen -l` prints it.
 */
import sshpk from 'sshpk';

export function verifiedHostKey(bind: { hostKey: Buffer; sessionId: Buffer; signature: Buffer }): string | undefined {
  try {
    const key = sshpk.parseKey(bind.hostKey, 'rfc4253');
    const sig = sshpk.parseSignature(bind.signature, key.type as sshpk.AlgorithmType, 'ssh');
    const verifier = key.createVerify(sig.hashAlgorithm ?? key.defaultHashAlgorithm());
    verifier.update(bind.sessionId);
    return verifier.verify(sig) ? key.fingerprint('sha256').toString() : undefined;
  } catch {
    return undefined;
  }
}
