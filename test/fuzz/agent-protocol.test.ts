/**
 * The agent's two parsers of outside input are total: SSH agent frames and messages (from any
 * local process that reaches SSH_AUTH_SOCK) and the CLI channel's JSON lines end in a value or a
 * MalformedAgentMessage / null, never another exception; a frame announcing more than OpenSSH's
 * 256 KiB is refused before anything is buffered for it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_AGENT_MESSAGE, MalformedAgentMessage, parseAgentRequest, takeFrames } from '../../electron/agent/ssh-protocol.js';
import { parseMessage } from '../../electron/agent/lines.js';
import { verifiedHostKey } from '../../electron/agent/session-bind.js';
import { generateKeyPairSync, sign } from 'node:crypto';
import sshpk from 'sshpk';
import { peerPid } from '../../electron/agent/peer-process.js';
import { emptyKnownNames, matchingPattern, namesFromKnownHosts, wildcardMatch } from '../../electron/core/keypairs/agent/host-names.js';

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}
const str = (b: Buffer) => Buffer.concat([u32(b.length), b]);
/** A well-formed sign request, as ssh sends it. */
const signRequest = Buffer.concat([Buffer.from([13]), str(Buffer.from('blob')), str(Buffer.from('data to sign')), u32(4)]);

function total(f: () => unknown): 'value' | 'malformed' {
  try {
    f();
    return 'value';
  } catch (e) {
    if (e instanceof MalformedAgentMessage) return 'malformed';
    throw e;
  }
}

describe('SSH agent messages', () => {
  it('parses the requests ssh and ssh-add send', () => {
    expect(parseAgentRequest(Buffer.from([11]))).toEqual({ type: 'identities' });
    expect(parseAgentRequest(signRequest)).toEqual({ type: 'sign', keyBlob: Buffer.from('blob'), data: Buffer.from('data to sign'), flags: 4 });
    expect(parseAgentRequest(Buffer.concat([Buffer.from([22]), str(Buffer.from('pw'))]))).toEqual({ type: 'lock', passphrase: Buffer.from('pw') });
    expect(parseAgentRequest(Buffer.from([17, 1, 2, 3]))).toEqual({ type: 'add' });
    expect(parseAgentRequest(Buffer.from([99]))).toEqual({ type: 'unknown', code: 99 });
    expect(() => parseAgentRequest(signRequest.subarray(0, 20))).toThrow(MalformedAgentMessage);
    expect(() => parseAgentRequest(Buffer.concat([signRequest, Buffer.from([0])]))).toThrow(MalformedAgentMessage);
  });

  it('refuses a frame longer than 256 KiB from its length alone', () => {
    expect(() => takeFrames(u32(MAX_AGENT_MESSAGE + 1))).toThrow(MalformedAgentMessage);
    expect(takeFrames(Buffer.concat([u32(signRequest.length), signRequest, u32(5), Buffer.from([11])]))).toMatchObject({ bodies: [signRequest] });
  });

  it('is total on random bytes, truncations and bit flips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        total(() => parseAgentRequest(Buffer.from(bytes)));
        total(() => takeFrames(Buffer.from(bytes)));
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.nat(signRequest.length), fc.nat(signRequest.length * 8 - 1), (cut, bit) => {
        const flipped = Buffer.from(signRequest);
        flipped[bit >> 3] = (flipped[bit >> 3] as number) ^ (1 << (bit & 7));
        total(() => parseAgentRequest(signRequest.subarray(0, cut)));
        total(() => parseAgentRequest(flipped));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('session-bind@openssh.com', () => {
  // A server's host key signing a session id, as sshd does (signature made by node:crypto, blobs by sshpk).
  const host = generateKeyPairSync('ed25519');
  const hostKey = sshpk.parseKey(host.publicKey.export({ format: 'pem', type: 'spki' }) as string, 'pem');
  const sessionId = Buffer.alloc(32, 7);
  const rawSig = sign(null, sessionId, host.privateKey);
  const sigBlob = Buffer.concat([str(Buffer.from('ssh-ed25519')), str(rawSig)]);
  const bind = Buffer.concat([
    Buffer.from([27]),
    str(Buffer.from('session-bind@openssh.com')),
    str(hostKey.toBuffer('rfc4253')),
    str(sessionId),
    str(sigBlob),
    Buffer.from([0]),
  ]);

  it('binds the connection to the host key whose signature verifies, and to nothing else', () => {
    const req = parseAgentRequest(bind);
    expect(req.type).toBe('session-bind');
    if (req.type !== 'session-bind') return;
    expect(verifiedHostKey(req)).toBe(hostKey.fingerprint('sha256').toString());
    expect(verifiedHostKey({ ...req, sessionId: Buffer.alloc(32, 8) })).toBeUndefined();
    fc.assert(
      fc.property(fc.nat(bind.length * 8 - 1), fc.nat(bind.length), (bit, cut) => {
        const flipped = Buffer.from(bind);
        flipped[bit >> 3] = (flipped[bit >> 3] as number) ^ (1 << (bit & 7));
        for (const m of [flipped, bind.subarray(0, cut)]) {
          let r: ReturnType<typeof parseAgentRequest> | undefined;
          if (total(() => (r = parseAgentRequest(m))) === 'value' && r?.type === 'session-bind') {
            // A changed key, id or signature never verifies as this host; an unchanged one still does.
            const fp = verifiedHostKey(r);
            if (fp !== undefined) expect(r.hostKey.equals(hostKey.toBuffer('rfc4253')) && r.sessionId.equals(sessionId)).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('CLI channel lines', () => {
  it('a line is a JSON object or null, never a throw', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const m = parseMessage(s);
        expect(m === null || (typeof m === 'object' && !Array.isArray(m))).toBe(true);
      }),
      { numRuns: 3000 },
    );
    expect(parseMessage('[1]')).toBeNull();
    expect(parseMessage('{"hello":"keyhold-agent/1"}')).toEqual({ hello: 'keyhold-agent/1' });
  });
});

/** The textbook dynamic-programming wildcard match, as the oracle for the agent's greedy one. */
function wildcardByTable(pattern: string, name: string): boolean {
  let row = [true, ...name.split('').map(() => false)];
  for (const c of pattern) {
    const next = [c === '*' && row[0] === true];
    for (let j = 1; j <= name.length; j++) next[j] = c === '*' ? Boolean(row[j] || next[j - 1]) : Boolean(row[j - 1] && (c === '?' || c === name[j - 1]));
    row = next;
  }
  return row[name.length] === true;
}

describe('known_hosts and host patterns', () => {
  const fp = `SHA256:${'A'.repeat(43)}`;
  it('known_hosts text of any shape gives names or nothing, never a throw', () => {
    const line = fc
      .array(
        fc.constantFrom(
          '@revoked',
          '@cert-authority',
          '|1|',
          '|1|AAAA|BBBB',
          '[h]:22',
          'a,b',
          '*',
          '!x',
          'ssh-ed25519',
          'AAAAC3NzaC1lZDI1NTE5',
          '#',
          ' ',
          '\t',
          '=',
        ),
        { maxLength: 8 },
      )
      .map((p) => p.join(' '));
    fc.assert(
      fc.property(fc.array(fc.oneof(line, fc.string({ maxLength: 80 })), { maxLength: 20 }), (lines) => {
        const known = emptyKnownNames();
        const r = namesFromKnownHosts(lines.join('\n'), fp, known);
        expect(typeof r.revoked).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('matching any pattern against any name ends (no backtracking blow-up)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', '*', '?', '.'), maxLength: 60 }),
        fc.string({ unit: fc.constantFrom('a', 'b', '.'), maxLength: 200 }),
        (pattern, name) => {
          const known = emptyKnownNames();
          known.names.add(name);
          const m = matchingPattern([pattern], known);
          expect(m === undefined || m === pattern).toBe(true);
          expect(wildcardMatch(pattern, name)).toBe(wildcardByTable(pattern, name));
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe("the socket table (ss -xp) of the desktop app's confirmation", () => {
  it('any text gives a pid or nothing, never a throw', () => {
    const row = fc
      .tuple(
        fc.constantFrom('u_str', 'u_dgr', 'x'),
        fc.constantFrom('ESTAB', 'LISTEN'),
        fc.nat(9),
        fc.nat(9),
        fc.constantFrom('*', '/s.sock', ''),
        fc.nat(20),
        fc.constantFrom('*', ''),
        fc.nat(20),
        fc.constantFrom('', 'users:(("ssh",pid=7,fd=3))', 'users:(("a\\"b",pid=1,', 'users:(('),
      )
      .map((r) => r.join(' '));
    fc.assert(
      fc.property(fc.array(fc.oneof(row, fc.string({ maxLength: 100 })), { maxLength: 30 }), fc.nat(20), (rows, inode) => {
        const pid = peerPid(rows.join('\n'), inode);
        expect(pid === undefined || Number.isInteger(pid)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
