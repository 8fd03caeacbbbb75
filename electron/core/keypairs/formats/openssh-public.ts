/**
 * OpenSSH public key lines (`<type> <base64 blob> [comment]`, as in authorized_keys, where an
 * options field may come first). Exactly one key per input; `#` lines and blank lines are
 * ignored; the type word must match the name inside the blob (as ssh-keygen insists).
 */
import { malformed } from '../errors.js';
import { parsePublicBlob, publicBlob, type PublicKey } from '../key.js';
import { checkComment, splitLines, strictBase64 } from './text.js';
import type { ParsedKey, PublicCodec } from './types.js';

const FORMAT = 'OpenSSH public key';
const TYPE_WORD = /^(ssh-[a-z0-9@.-]+|ecdsa-sha2-[a-z0-9]+|sk-[a-z0-9@.-]+)$/;
/** The KPS API's limit for a public_key field (reference §6); longer lines are not keys Keyhold reads. */
const MAX_LINE = 16 * 1024;

function keyLines(text: string) {
  return splitLines(text.replace(/^\uFEFF/, '')).filter((l) => l.text.trim() !== '' && !l.text.trim().startsWith('#'));
}

/** Finds `<type> <base64>` in a line, skipping an authorized_keys options field before it. */
function locate(line: string): { type: string; b64: string; comment: string } | undefined {
  const re = /(?:^|\s)(\S+)\s+(AAAA[A-Za-z0-9+/]*={0,2})(?=\s|$)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    if (TYPE_WORD.test(m[1] as string)) return { type: m[1] as string, b64: m[2] as string, comment: line.slice(m.index + m[0].length).trim() };
  }
  return undefined;
}

function parse(text: string): ParsedKey {
  const lines = keyLines(text);
  const line = lines[0];
  if (!line) throw malformed(FORMAT, 'key line', 0, 'no key found');
  if (lines.length > 1) throw malformed(FORMAT, 'key line', (lines[1] as { offset: number }).offset, 'more than one key; give one key per file');
  if (line.text.length > MAX_LINE) throw malformed(FORMAT, 'key line', line.offset, 'line too long');
  const found = locate(line.text.trim());
  if (!found) throw malformed(FORMAT, 'key line', line.offset, 'expected "<type> <base64> [comment]"');
  const blob = strictBase64(found.b64, FORMAT, 'base64 blob', line.offset);
  const key = parsePublicBlob(blob, FORMAT, line.offset);
  if (key.type !== found.type) throw malformed(FORMAT, 'key type', line.offset, `the line says ${found.type} but the blob holds ${key.type}`);
  return { format: 'public-openssh', encrypted: false, comment: found.comment, publicKey: key };
}

function serialize(key: PublicKey, comment: string): string {
  const c = checkComment(comment);
  return `${key.type} ${publicBlob(key).toString('base64')}${c ? ` ${c}` : ''}\n`;
}

export const opensshPublic: PublicCodec = {
  detect: (text) => {
    const first = keyLines(text)[0];
    return first !== undefined && first.text.length <= MAX_LINE && locate(first.text.trim()) !== undefined;
  },
  parse,
  serialize,
};
