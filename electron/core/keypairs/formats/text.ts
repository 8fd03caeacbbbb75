/** Text helpers shared by the codecs: line splitting with offsets (LF, CRLF and CR) and strict base64. */
import { malformed } from '../errors.js';

export interface Line {
  text: string;
  /** Offset of the line's first character in the input. */
  offset: number;
}

/** Splits on LF, CRLF or CR, keeping each line's offset for error messages. */
export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  const re = /\r\n|\r|\n/g;
  let start = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    lines.push({ text: text.slice(start, m.index), offset: start });
    start = m.index + m[0].length;
  }
  if (start < text.length) lines.push({ text: text.slice(start), offset: start });
  return lines;
}

/** Decodes base64, refusing anything Buffer.from would silently skip. */
export function strictBase64(s: string, format: string, field: string, offset?: number): Buffer {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw malformed(format, field, offset, 'not valid base64');
  return Buffer.from(s, 'base64');
}

export function wrap(s: string, width: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i += width) out.push(s.slice(i, i + width));
  return out;
}

/** A comment must fit on one line of every text format. */
export function checkComment(comment: string): string {
  if (/[\r\n]/.test(comment)) throw malformed('comment', 'comment', undefined, 'must not contain line breaks');
  return comment;
}
