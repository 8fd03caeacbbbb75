/**
 * The audit chain's head, kept outside the database in a small file beside the vault
 * (`<vault>.audit-head`), written atomically and fsynced after every commit. Deleting the
 * newest audit rows leaves the database behind this anchor, which `verify` reports.
 * The anchor may lag the database by the commits of a crash; it may never lead it.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { KeyholdError, LocalErrors } from '../../../shared/errors.js';

export interface AnchorHead {
  vault_id: string;
  seq: number;
  mac: string;
}

export function anchorPath(vaultPath: string): string {
  return `${vaultPath}.audit-head`;
}

export function writeAnchor(vaultPath: string, head: AnchorHead): void {
  const path = anchorPath(vaultPath);
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(head));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  try {
    const dir = openSync(dirname(path), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {
    // Some platforms (Windows) cannot open a directory for fsync; the rename is still atomic.
  }
}

export function readAnchor(vaultPath: string): AnchorHead {
  const bad = (why: string) => new KeyholdError(LocalErrors.AuditAnchorInvalid, `Audit anchor ${anchorPath(vaultPath)} ${why}.`, 500);
  let text: string;
  try {
    text = readFileSync(anchorPath(vaultPath), 'utf8');
  } catch {
    throw bad('is missing');
  }
  if (text.length > 4096) throw bad('is too large');
  try {
    const h = JSON.parse(text) as AnchorHead;
    if (typeof h.vault_id === 'string' && Number.isSafeInteger(h.seq) && h.seq >= 0 && typeof h.mac === 'string') return h;
  } catch {
    // fall through to the typed error
  }
  throw bad('is malformed');
}
