/**
 * RFC 4716 "SSH2 PUBLIC KEY" files: what PuTTYgen's "Save public key" and ssh-keygen -e write,
 * and the cause of the cloud's PuTTYgen import failure (seed FAQ §3.3). Keyhold accepts them
 * and normalises them to the OpenSSH one-line form, never rejecting one for its shape: LF, CRLF
 * or CR line ends, any header tags (unknown ones ignored), quoted or unquoted comments, header
 * continuation lines (`\` at the end), any base64 line width.
 * Writes 64-column base64 and a quoted Comment, wrapped with `\` to keep lines ≤ 72 bytes.
 */
import { malformed } from '../errors.js';
import { parsePublicBlob, publicBlob, type PublicKey } from '../key.js';
import { checkComment, splitLines, strictBase64, wrap } from './text.js';
import type { ParsedKey, PublicCodec } from './types.js';

const FORMAT = 'RFC 4716 public key';
const BEGIN = /^-{3,5} ?BEGIN SSH2 PUBLIC KEY ?-{3,5}$/;
const END = /^-{3,5} ?END SSH2 PUBLIC KEY ?-{3,5}$/;
const MAX_HEADER = 1024 * 4;

function unquote(v: string): string {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

function parse(text: string): ParsedKey {
  const lines = splitLines(text.replace(/^\uFEFF/, '')).filter((l) => l.text.trim() !== '');
  const begin = lines.findIndex((l) => BEGIN.test(l.text.trim()));
  if (begin < 0) throw malformed(FORMAT, 'BEGIN line', 0, 'missing "---- BEGIN SSH2 PUBLIC KEY ----"');
  const end = lines.findIndex((l, i) => i > begin && END.test(l.text.trim()));
  if (end < 0) throw malformed(FORMAT, 'END line', text.length, 'missing "---- END SSH2 PUBLIC KEY ----"');
  const inner = lines.slice(begin + 1, end);
  let comment = '';
  let i = 0;
  // Headers: "Tag: value"; a value ending in a backslash continues on the next line.
  while (i < inner.length && /^[\x21-\x39\x3b-\x7e]{1,64}:/.test((inner[i] as { text: string }).text)) {
    const first = inner[i] as { text: string; offset: number };
    let t = first.text.trim();
    i++;
    while (t.endsWith('\\')) {
      const next = inner[i++];
      if (!next) throw malformed(FORMAT, 'header', first.offset, 'continuation runs past the body');
      t = t.slice(0, -1) + next.text.trim();
      if (t.length > MAX_HEADER) throw malformed(FORMAT, 'header', first.offset, 'header too long');
    }
    const colon = t.indexOf(':');
    if (t.slice(0, colon).toLowerCase() === 'comment') comment = unquote(t.slice(colon + 1).trim());
  }
  const body = inner.slice(i);
  if (body.length === 0) throw malformed(FORMAT, 'base64 body', lines[end]?.offset, 'missing');
  const bodyOffset = (body[0] as { offset: number }).offset;
  const blob = strictBase64(body.map((l) => l.text.trim()).join(''), FORMAT, 'base64 body', bodyOffset);
  return { format: 'public-rfc4716', encrypted: false, comment, publicKey: parsePublicBlob(blob, FORMAT, bodyOffset) };
}

/** Splits a header into ≤ 72-byte lines with `\` continuations (RFC 4716 §3.3). */
function headerLines(header: string): string[] {
  const out: string[] = [];
  let rest = header;
  while (Buffer.byteLength(rest, 'utf8') > 72) {
    let cut = 71;
    while (Buffer.byteLength(rest.slice(0, cut), 'utf8') > 71) cut--;
    out.push(`${rest.slice(0, cut)}\\`);
    rest = rest.slice(cut);
  }
  out.push(rest);
  return out;
}

function serialize(key: PublicKey, comment: string): string {
  const c = checkComment(comment);
  const lines = ['---- BEGIN SSH2 PUBLIC KEY ----'];
  if (c) lines.push(...headerLines(`Comment: "${c}"`));
  lines.push(...wrap(publicBlob(key).toString('base64'), 64), '---- END SSH2 PUBLIC KEY ----');
  return `${lines.join('\n')}\n`;
}

export const rfc4716: PublicCodec = {
  detect: (text) => splitLines(text.replace(/^\uFEFF/, '')).some((l) => BEGIN.test(l.text.trim())),
  parse,
  serialize,
};
