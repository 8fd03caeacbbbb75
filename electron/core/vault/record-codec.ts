/**
 * Sealed record bodies. A body carries its own identity (table, id, revision) in clear, bound
 * as AAD, so a failure can be named: a body that does not authenticate is corrupt; one that
 * authenticates but names another row was moved there; one naming an older revision of the
 * same row was replayed. Layout in docs/vault-format.md.
 */
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';
import { gcmOpen, gcmSeal, GCM_IV_BYTES, GCM_TAG_BYTES } from '../crypto/aead.js';

const MAGIC = Buffer.from('KHR1', 'ascii');
const MAX_NAME = 512;

export interface RecordIdentity {
  table: string;
  id: string;
  rev: number;
}

function header(identity: RecordIdentity): Buffer {
  const table = Buffer.from(identity.table, 'utf8');
  const id = Buffer.from(identity.id, 'utf8');
  if (table.length > MAX_NAME || id.length > MAX_NAME) throw new KeyholdError(LocalErrors.Internal, 'Record name too long.', 500);
  const h = Buffer.alloc(4 + 2 + table.length + 2 + id.length + 4);
  let o = MAGIC.copy(h, 0);
  o = h.writeUInt16BE(table.length, o);
  o += table.copy(h, o);
  o = h.writeUInt16BE(id.length, o);
  o += id.copy(h, o);
  h.writeUInt32BE(identity.rev, o);
  return h;
}

export function sealRecord(key: Buffer, identity: RecordIdentity, plaintext: Buffer): Buffer {
  const aad = header(identity);
  const { iv, ciphertext, tag } = gcmSeal(key, plaintext, aad);
  return Buffer.concat([aad, iv, ciphertext, tag]);
}

function corrupt(at: RecordIdentity, why: string): KeyholdError {
  return new KeyholdError(LocalErrors.RecordCorrupt, `Vault record ${at.table}/${at.id} is corrupt (${why}): it was altered outside Keyhold.`, 500);
}

/** Parses and authenticates a body found at row `at`; total over any byte string. */
export function openRecord(key: Buffer, at: RecordIdentity, body: Buffer): Buffer {
  if (body.length < 4 + 2 + 2 + 4 + GCM_IV_BYTES + GCM_TAG_BYTES || !body.subarray(0, 4).equals(MAGIC)) throw corrupt(at, 'bad header');
  let o = 4;
  const tableLen = body.readUInt16BE(o);
  o += 2;
  if (tableLen > MAX_NAME || o + tableLen + 2 > body.length) throw corrupt(at, 'bad table length');
  const table = body.toString('utf8', o, o + tableLen);
  o += tableLen;
  const idLen = body.readUInt16BE(o);
  o += 2;
  if (idLen > MAX_NAME || o + idLen + 4 + GCM_IV_BYTES + GCM_TAG_BYTES > body.length) throw corrupt(at, 'bad id length');
  const id = body.toString('utf8', o, o + idLen);
  o += idLen;
  const rev = body.readUInt32BE(o);
  o += 4;
  const aad = body.subarray(0, o);
  const iv = body.subarray(o, o + GCM_IV_BYTES);
  const tag = body.subarray(body.length - GCM_TAG_BYTES);
  const plaintext = gcmOpen(key, { iv, ciphertext: body.subarray(o + GCM_IV_BYTES, body.length - GCM_TAG_BYTES), tag }, aad);
  if (!plaintext) throw corrupt(at, 'authentication failed');
  if (table !== at.table || id !== at.id) {
    throw new KeyholdError(
      LocalErrors.RecordMisplaced,
      `Vault record ${at.table}/${at.id} holds the sealed body of ${table}/${id}: records were swapped outside Keyhold.`,
      500,
    );
  }
  if (rev !== at.rev) {
    throw new KeyholdError(
      rev < at.rev ? LocalErrors.RecordReplayed : LocalErrors.RecordInjected,
      `Vault record ${at.table}/${at.id} holds revision ${rev} where revision ${at.rev} belongs: an older copy was replayed.`,
      500,
    );
  }
  return plaintext;
}
