/**
 * The little DER Keyhold needs itself: DSA keys (which node:crypto imports but cannot export as
 * components or as traditional PEM) and a look at PKCS#8 encryption parameters before OpenSSL
 * runs them (an iteration count of 2^31 would be a hang). The reader is total: every length is
 * checked against what is left, and a bad structure is a KPS malformed error with its offset.
 */
import { malformed } from './errors.js';

export interface DerNode {
  tag: number;
  /** Offset of the tag byte in the outermost input. */
  offset: number;
  /** Offset of the first content byte in the outermost input. */
  valueOffset: number;
  value: Buffer;
}

export class DerReader {
  private pos = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly format: string,
    private readonly base = 0,
  ) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  fail(field: string, why: string): never {
    throw malformed(this.format, field, this.base + this.pos, why);
  }

  next(field: string, expectTag?: number): DerNode {
    const start = this.pos;
    if (this.buf.length - this.pos < 2) this.fail(field, 'truncated');
    const tag = this.buf[this.pos++] as number;
    if (expectTag !== undefined && tag !== expectTag) {
      this.pos = start;
      this.fail(field, `expected tag 0x${expectTag.toString(16)}, found 0x${tag.toString(16)}`);
    }
    let len = this.buf[this.pos++] as number;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0 || n > 4 || this.buf.length - this.pos < n) {
        this.pos = start;
        this.fail(field, 'bad length');
      }
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + (this.buf[this.pos++] as number);
    }
    if (len > this.buf.length - this.pos) {
      this.pos = start;
      this.fail(field, 'truncated');
    }
    const value = this.buf.subarray(this.pos, this.pos + len);
    const node = { tag, offset: this.base + start, valueOffset: this.base + this.pos, value };
    this.pos += len;
    return node;
  }

  /** Descends into a constructed value (SEQUENCE, OCTET STRING holding DER). */
  enter(field: string, tag = 0x30): DerReader {
    const node = this.next(field, tag);
    return new DerReader(node.value, this.format, node.valueOffset);
  }

  /** An unsigned INTEGER's magnitude (leading zeros stripped). */
  uint(field: string): Buffer {
    const node = this.next(field, 0x02);
    if (node.value.length === 0 || (node.value[0] as number) & 0x80) throw malformed(this.format, field, node.offset, 'not a non-negative integer');
    let i = 0;
    while (i < node.value.length - 1 && node.value[i] === 0) i++;
    return node.value.subarray(i);
  }

  small(field: string): number {
    const v = this.uint(field);
    if (v.length > 4) throw malformed(this.format, field, this.base + this.pos, 'integer too large');
    return v.reduce((a, b) => a * 256 + b, 0);
  }

  oid(field: string): string {
    return decodeOid(this.next(field, 0x06).value);
  }
}

export function decodeOid(b: Buffer): string {
  const out: number[] = [];
  let v = 0;
  for (const byte of b) {
    v = v * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      out.push(v);
      v = 0;
    }
  }
  const first = out.shift() ?? 0;
  return [Math.min(2, Math.floor(first / 40)), first - Math.min(2, Math.floor(first / 40)) * 40, ...out].join('.');
}

function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
}

export const seq = (...c: Buffer[]): Buffer => der(0x30, ...c);
export const octets = (b: Buffer): Buffer => der(0x04, b);

export function int(magnitude: Uint8Array): Buffer {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const m = Buffer.from(magnitude.subarray(i));
  const body = m.length === 0 ? Buffer.alloc(1) : (m[0] as number) & 0x80 ? Buffer.concat([Buffer.alloc(1), m]) : m;
  return der(0x02, body);
}

export function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [a * 40 + b];
  for (const n of rest) {
    const groups: number[] = [];
    for (let v = n; ; v = Math.floor(v / 128)) {
      groups.unshift(v & 0x7f);
      if (v < 128) break;
    }
    bytes.push(...groups.map((g, i) => (i < groups.length - 1 ? g | 0x80 : g)));
  }
  return der(0x06, Buffer.from(bytes));
}
