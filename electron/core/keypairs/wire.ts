/**
 * SSH wire encoding (RFC 4251 §5): uint32, string, mpint. The reader is total: every read is
 * bounds-checked and a short or oversized field is a KPS malformed error naming the format,
 * the field and the offset, so parsers built on it cannot crash or over-allocate.
 */
import { malformed } from './errors.js';

/** Key blobs and private sections are capped well above any real key (PuTTY caps at 256 KiB). */
export const MAX_FIELD_BYTES = 256 * 1024;

export class WireReader {
  private pos = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly format: string,
    /** Added to offsets in messages when this buffer sits inside a larger input. */
    private readonly base = 0,
  ) {}

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  fail(field: string, why: string): never {
    throw malformed(this.format, field, this.base + this.pos, why);
  }

  /** Fails naming the offset where the field started. */
  failAt(offset: number, field: string, why: string): never {
    throw malformed(this.format, field, this.base + offset, why);
  }

  uint32(field: string): number {
    if (this.remaining < 4) this.fail(field, 'truncated');
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  bytes(field: string, n: number): Buffer {
    if (n > this.remaining) this.fail(field, 'truncated');
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  string(field: string): Buffer {
    const start = this.pos;
    const n = this.uint32(field);
    if (n > MAX_FIELD_BYTES || n > this.remaining) {
      this.pos = start;
      this.fail(field, n > MAX_FIELD_BYTES ? `length ${n} is too large` : 'truncated');
    }
    return this.bytes(field, n);
  }

  /** A string that must be printable ASCII (algorithm, cipher and KDF names). */
  name(field: string): string {
    const start = this.pos;
    const b = this.string(field);
    if (!/^[\x21-\x7e]*$/.test(b.toString('latin1'))) this.failAt(start, field, 'not a name');
    return b.toString('latin1');
  }

  /** An mpint as its unsigned big-endian magnitude (leading zeros stripped); negatives refused. */
  mpint(field: string): Buffer {
    const start = this.pos;
    const b = this.string(field);
    if (b.length > 0 && (b[0] as number) & 0x80) this.failAt(start, field, 'negative integer');
    let i = 0;
    while (i < b.length && b[i] === 0) i++;
    return b.subarray(i);
  }

  rest(): Buffer {
    const v = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return v;
  }
}

export class WireWriter {
  private readonly parts: Buffer[] = [];

  uint32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0);
    this.parts.push(b);
    return this;
  }

  raw(b: Uint8Array): this {
    this.parts.push(Buffer.from(b));
    return this;
  }

  string(b: Uint8Array | string): this {
    const data = typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b);
    return this.uint32(data.length).raw(data);
  }

  /** Writes an unsigned magnitude as a minimal mpint (0x00 prefix when the top bit is set). */
  mpint(magnitude: Uint8Array): this {
    let i = 0;
    while (i < magnitude.length && magnitude[i] === 0) i++;
    const m = Buffer.from(magnitude.subarray(i));
    return this.string(m.length && (m[0] as number) & 0x80 ? Buffer.concat([Buffer.alloc(1), m]) : m);
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export function toBigInt(magnitude: Uint8Array): bigint {
  return magnitude.length ? BigInt(`0x${Buffer.from(magnitude).toString('hex')}`) : 0n;
}

export function fromBigInt(v: bigint, length?: number): Buffer {
  let hex = v.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const b = Buffer.from(hex === '00' && length === undefined ? '' : hex, 'hex');
  if (length === undefined || b.length >= length) return b;
  return Buffer.concat([Buffer.alloc(length - b.length), b]);
}
