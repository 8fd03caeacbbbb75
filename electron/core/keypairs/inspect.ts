/** The `kps inspect` shape (DESIGN §8), shared by inspect, convert and export-private-key --out. */
import type { InspectResult } from '../../../shared/operations/kps.js';
import type { ParsedKey } from './formats/index.js';
import { keyBits, md5Fingerprint, openSshLine, sha256Fingerprint } from './key.js';

export function inspectOf(p: ParsedKey): InspectResult {
  return {
    format: p.format,
    key_type: p.publicKey.type,
    bits: keyBits(p.publicKey),
    fingerprint: sha256Fingerprint(p.publicKey),
    md5_fingerprint: md5Fingerprint(p.publicKey),
    comment: p.comment,
    encrypted: p.encrypted,
    public_key: openSshLine(p.publicKey, p.comment),
  };
}
