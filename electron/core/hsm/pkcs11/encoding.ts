/** The byte formats a token hands back, turned into what Keyhold and node:crypto use. */
import forge from 'node-forge';
import { KeyholdError, LocalErrors } from '../../../../shared/errors.js';

/** Token info strings are blank- (or NUL-) padded to a fixed width. */
export function trimmed(s: string): string {
  return s.replace(/[\s\0]+$/, '');
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }` from the token's r‖s (PKCS#11 §2.3.1). */
export function ecdsaDer(raw: Buffer): Buffer {
  const half = raw.length / 2;
  const int = (b: Buffer) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = b.subarray(i);
    const bytes = (v[0] as number) & 0x80 ? Buffer.concat([Buffer.alloc(1), v]) : v;
    return forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.INTEGER, false, bytes.toString('binary'));
  };
  const seq = forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SEQUENCE, true, [int(raw.subarray(0, half)), int(raw.subarray(half))]);
  return Buffer.from(forge.asn1.toDer(seq).getBytes(), 'binary');
}

/** The contents of a DER OCTET STRING, or null when `b` is not exactly one. */
function octetString(b: Buffer): Buffer | null {
  if (b[0] !== 0x04 || b.length < 2) return null;
  const first = b[1] as number;
  if (first < 0x80) return first === b.length - 2 ? b.subarray(2) : null;
  if (first === 0x81 && b.length > 3 && b[2] === b.length - 3) return b.subarray(3);
  return null;
}

function uncompressed(p: Buffer | null): { x: Buffer; y: Buffer } | null {
  if (!p || p[0] !== 0x04 || p.length < 3 || p.length % 2 !== 1) return null;
  const n = (p.length - 1) / 2;
  return { x: p.subarray(1, 1 + n), y: p.subarray(1 + n) };
}

/**
 * CKA_EC_POINT is a DER OCTET STRING holding the uncompressed point 04‖X‖Y (PKCS#11 §2.3.3);
 * some tokens give the bare point. Returns X and Y, or a typed error for anything else.
 */
export function ecPoint(value: Buffer): { x: Buffer; y: Buffer } {
  const point = uncompressed(octetString(value)) ?? uncompressed(value);
  if (!point) throw new KeyholdError(LocalErrors.Internal, 'The token returned an EC point Keyhold does not read.', 500);
  return point;
}
