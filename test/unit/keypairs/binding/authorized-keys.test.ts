import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authorisesBlob, keyholdLine, keyholdLines, withLine, withoutKeyholdLines } from '../../../../electron/core/keypairs/binding/authorized-keys.js';

const PUB = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl someone@laptop';
const BLOB = 'AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
const OURS = `ssh-ed25519 ${BLOB} keyhold:kp1`;

describe('authorized_keys editing', () => {
  it('writes the key without its comment, tagged with the key pair name', () => {
    expect(keyholdLine(PUB, 'kp1')).toBe(OURS);
    expect(() => keyholdLine('not a key', 'kp1')).toThrow();
  });

  it('appends after a last line that has no newline, without changing that line', () => {
    const before = Buffer.from('ssh-rsa AAAB x@y', 'latin1');
    expect(withLine(before, OURS).toString('latin1')).toBe(`ssh-rsa AAAB x@y\n${OURS}\n`);
    expect(withLine(Buffer.alloc(0), OURS).toString('latin1')).toBe(`${OURS}\n`);
  });

  it('does not add a line that is already there (idempotent bind)', () => {
    const once = withLine(Buffer.from('# c\n'), OURS);
    expect(withLine(once, OURS).equals(once)).toBe(true);
  });

  it('finds only exact Keyhold lines: options, other comments or a look-alike tag are foreign', () => {
    const text = [
      OURS,
      `from="10.0.0.1" ssh-ed25519 ${BLOB} keyhold:kp1`,
      `ssh-ed25519 ${BLOB} keyhold:kp1 edited`,
      `ssh-ed25519 ${BLOB} my keyhold:kp1`,
      `ssh-ed25519 ${BLOB} keyhold:kp2\r`,
    ].join('\n');
    expect(keyholdLines(Buffer.from(text)).map((l) => l.keypair_name)).toEqual(['kp1', 'kp2']);
  });

  it('removes Keyhold lines (all, or all but one) and keeps every other byte', () => {
    const foreign = Buffer.from([0x23, 0x20, 0xe9, 0xff, 0x0a, 0x0d, 0x0a]);
    const file = Buffer.concat([foreign, Buffer.from(`${OURS}\n`), Buffer.from('ssh-rsa AAAB x\r\n'), Buffer.from(`ssh-ed25519 ${BLOB} keyhold:kp2\n`)]);
    expect(withoutKeyholdLines(file).equals(Buffer.concat([foreign, Buffer.from('ssh-rsa AAAB x\r\n')]))).toBe(true);
    expect(keyholdLines(withoutKeyholdLines(file, OURS)).map((l) => l.keypair_name)).toEqual(['kp1']);
  });

  it('property: bind then unbind gives back any file that had no Keyhold lines, byte for byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const original = Buffer.from(bytes);
        fc.pre(keyholdLines(original).length === 0);
        const bound = withLine(original, OURS);
        const unbound = withoutKeyholdLines(bound);
        const endsOpen = original.length > 0 && original[original.length - 1] !== 0x0a;
        // The only change a bind may leave is the newline it had to add after an open last line.
        expect(unbound.equals(endsOpen ? Buffer.concat([original, Buffer.from('\n')]) : original)).toBe(true);
      }),
    );
  });

  it('tells whether a key stays authorised by a foreign line', () => {
    const file = Buffer.from(`${OURS}\nno-pty ssh-ed25519 ${BLOB} mine\n`);
    expect(authorisesBlob(file, BLOB, true)).toBe(true);
    expect(authorisesBlob(Buffer.from(`${OURS}\n`), BLOB, true)).toBe(false);
    expect(authorisesBlob(Buffer.from(`${OURS}\n`), BLOB)).toBe(true);
  });
});
