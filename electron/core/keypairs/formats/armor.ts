/** PEM-style armour (`-----BEGIN LABEL-----`), for the formats whose body Keyhold decodes itself. */
import { malformed } from '../errors.js';
import { splitLines, strictBase64, type Line } from './text.js';

export interface Armored {
  label: string;
  /** RFC 1421 headers (`Proc-Type`, `DEK-Info`), in order. */
  headers: [string, string][];
  body: Buffer;
  /** Offset of the first body line in the input, for error messages. */
  bodyOffset: number;
}

const BEGIN = /^-----BEGIN ([A-Z0-9 ]{1,40})-----\s*$/;

/** Lines before the BEGIN line are skipped (OpenSSL's "Bag Attributes", notes people add). */
function beginIndex(lines: Line[]): number {
  return lines.findIndex((l) => BEGIN.test(l.text.trim()));
}

export function armorLabel(text: string): string | undefined {
  const lines = splitLines(text.replace(/^\uFEFF/, ''));
  const i = beginIndex(lines);
  return i < 0 ? undefined : BEGIN.exec((lines[i] as Line).text.trim())?.[1];
}

export function readArmor(text: string, format: string): Armored {
  const all = splitLines(text.replace(/^\uFEFF/, ''));
  const lines = all.slice(Math.max(0, beginIndex(all))).filter((l) => l.text.trim() !== '');
  const first = lines[0];
  const m = first ? BEGIN.exec(first.text.trim()) : null;
  if (!first || !m) throw malformed(format, 'BEGIN line', 0, 'missing');
  const label = m[1] as string;
  const endIndex = lines.findIndex((l) => l.text.trim() === `-----END ${label}-----`);
  if (endIndex < 0) throw malformed(format, 'END line', text.length, `missing "-----END ${label}-----"`);
  const trailing = lines[endIndex + 1];
  if (trailing) throw malformed(format, 'end of file', trailing.offset, 'unexpected content after the END line');
  const inner = lines.slice(1, endIndex);
  const headers: [string, string][] = [];
  let i = 0;
  for (; i < inner.length && /^[A-Za-z-]+:/.test((inner[i] as { text: string }).text); i++) {
    const t = (inner[i] as { text: string }).text;
    const colon = t.indexOf(':');
    headers.push([t.slice(0, colon), t.slice(colon + 1).trim()]);
  }
  const bodyLines = inner.slice(i);
  const bodyOffset = bodyLines[0]?.offset ?? first.offset;
  const body = strictBase64(bodyLines.map((l) => l.text.trim()).join(''), format, 'base64 body', bodyOffset);
  return { label, headers, body, bodyOffset };
}

export function writeArmor(label: string, body: Buffer, width: number): string {
  const b64 = body.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += width) lines.push(b64.slice(i, i + width));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
