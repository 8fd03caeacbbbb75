import { describe, expect, it } from 'vitest';
import { fromBigInt, toBigInt, WireReader, WireWriter } from '../../../electron/core/keypairs/wire.js';

describe('SSH wire encoding', () => {
  it('writes minimal mpints with a 0x00 prefix when the top bit is set', () => {
    expect(
      new WireWriter()
        .mpint(Buffer.from([0, 0, 0x7f]))
        .toBuffer()
        .toString('hex'),
    ).toBe('000000017f');
    expect(
      new WireWriter()
        .mpint(Buffer.from([0x80]))
        .toBuffer()
        .toString('hex'),
    ).toBe('000000020080');
    expect(new WireWriter().mpint(Buffer.alloc(0)).toBuffer().toString('hex')).toBe('00000000');
  });

  it('reads mpints back as magnitudes and refuses negatives', () => {
    expect(new WireReader(Buffer.from('000000020080', 'hex'), 'T').mpint('x')).toEqual(Buffer.from([0x80]));
    expect(() => new WireReader(Buffer.from('0000000180', 'hex'), 'T').mpint('x')).toThrow(/T: x at byte 0: negative integer/);
  });

  it('names the format, the field and the offset of a truncated field', () => {
    const r = new WireReader(Buffer.from('00000001410000000a4142', 'hex'), 'Fmt', 100);
    expect(r.string('first').toString()).toBe('A');
    expect(() => r.string('second')).toThrow(expect.objectContaining({ code: 'KPS.1001', message: 'Fmt: second at byte 105: truncated.' }));
  });

  it('refuses a length beyond the cap without allocating it', () => {
    expect(() => new WireReader(Buffer.from('ffffffff', 'hex'), 'T').string('s')).toThrow(/too large/);
  });

  it('converts big integers both ways', () => {
    expect(toBigInt(fromBigInt(65537n))).toBe(65537n);
    expect(fromBigInt(1n, 4)).toEqual(Buffer.from([0, 0, 0, 1]));
  });
});
