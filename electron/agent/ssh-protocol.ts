/**
 * The SSH agent protocol's messages (draft-miller-ssh-agent): frames of `uint32 length, byte
 * type, contents`, parsed into requests and written as answers. Pure, no I/O; every field is
 * bounds-checked and a malformed message is a `MalformedAgentMessage`, never a crash (fuzzed).
 *
 * Not taken from a library: ssh2's AgentProtocol (a dependency already) answers only the list
 * and sign requests and fails lock, unlock and add itself, which this agent must handle.
 */

/** OpenSSH's own limit for one agent message (AGENT_MAX_LEN). */
export const MAX_AGENT_MESSAGE = 256 * 1024;

export const MSG = {
  FAILURE: 5,
  SUCCESS: 6,
  REQUEST_IDENTITIES: 11,
  IDENTITIES_ANSWER: 12,
  SIGN_REQUEST: 13,
  SIGN_RESPONSE: 14,
  ADD_IDENTITY: 17,
  REMOVE_IDENTITY: 18,
  REMOVE_ALL_IDENTITIES: 19,
  ADD_SMARTCARD_KEY: 20,
  REMOVE_SMARTCARD_KEY: 21,
  LOCK: 22,
  UNLOCK: 23,
  ADD_ID_CONSTRAINED: 25,
  ADD_SMARTCARD_KEY_CONSTRAINED: 26,
  EXTENSION: 27,
} as const;

export type AgentRequest =
  | { type: 'identities' }
  | { type: 'sign'; keyBlob: Buffer; data: Buffer; flags: number }
  | { type: 'lock'; passphrase: Buffer }
  | { type: 'unlock'; passphrase: Buffer }
  /** ssh-add of a key or a smartcard: keys belong in the vault, so always refused. */
  | { type: 'add' }
  | { type: 'remove' }
  /**
   * session-bind@openssh.com (OpenSSH ≥ 8.9, PROTOCOL.agent): ssh tells the agent which server
   * this connection is for, with the server's signature over the session id.
   */
  | { type: 'session-bind'; hostKey: Buffer; sessionId: Buffer; signature: Buffer; forwarding: boolean }
  | { type: 'extension'; name: string }
  | { type: 'unknown'; code: number };

export class MalformedAgentMessage extends Error {
  override readonly name = 'MalformedAgentMessage';
}

class Reader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  uint32(): number {
    if (this.pos + 4 > this.buf.length) throw new MalformedAgentMessage(`message ends inside a uint32 at byte ${this.pos}`);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  string(): Buffer {
    const n = this.uint32();
    if (n > this.buf.length - this.pos) throw new MalformedAgentMessage(`string of ${n} bytes at byte ${this.pos} runs past the message end`);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  bool(): boolean {
    if (this.pos + 1 > this.buf.length) throw new MalformedAgentMessage(`message ends before a boolean at byte ${this.pos}`);
    return this.buf[this.pos++] !== 0;
  }

  end(): void {
    if (this.pos !== this.buf.length) throw new MalformedAgentMessage(`${this.buf.length - this.pos} bytes after the last field`);
  }
}

/** Parses one message body (the bytes after the length): its type byte and contents. */
export function parseAgentRequest(body: Buffer): AgentRequest {
  if (body.length === 0) throw new MalformedAgentMessage('empty message');
  const code = body[0] as number;
  const r = new Reader(body.subarray(1));
  switch (code) {
    case MSG.REQUEST_IDENTITIES:
      r.end();
      return { type: 'identities' };
    case MSG.SIGN_REQUEST: {
      const keyBlob = r.string();
      const data = r.string();
      const flags = r.uint32();
      r.end();
      return { type: 'sign', keyBlob, data, flags };
    }
    case MSG.LOCK:
    case MSG.UNLOCK: {
      const passphrase = r.string();
      r.end();
      return { type: code === MSG.LOCK ? 'lock' : 'unlock', passphrase };
    }
    case MSG.ADD_IDENTITY:
    case MSG.ADD_ID_CONSTRAINED:
    case MSG.ADD_SMARTCARD_KEY:
    case MSG.ADD_SMARTCARD_KEY_CONSTRAINED:
      return { type: 'add' };
    case MSG.REMOVE_IDENTITY:
    case MSG.REMOVE_ALL_IDENTITIES:
    case MSG.REMOVE_SMARTCARD_KEY:
      return { type: 'remove' };
    case MSG.EXTENSION: {
      const name = r.string().toString('latin1');
      if (name !== 'session-bind@openssh.com') return { type: 'extension', name };
      const hostKey = r.string();
      const sessionId = r.string();
      const signature = r.string();
      const forwarding = r.bool();
      r.end();
      return { type: 'session-bind', hostKey, sessionId, signature, forwarding };
    }
    default:
      return { type: 'unknown', code };
  }
}

/**
 * Splits complete frames off the front of `buffered`: their bodies and what remains. A frame
 * announcing more than MAX_AGENT_MESSAGE (or an empty one) is malformed: the caller closes.
 */
export function takeFrames(buffered: Buffer): { bodies: Buffer[]; rest: Buffer } {
  const bodies: Buffer[] = [];
  let pos = 0;
  while (buffered.length - pos >= 4) {
    const n = buffered.readUInt32BE(pos);
    if (n === 0 || n > MAX_AGENT_MESSAGE) throw new MalformedAgentMessage(`frame of ${n} bytes (1 … ${MAX_AGENT_MESSAGE} allowed)`);
    if (buffered.length - pos - 4 < n) break;
    bodies.push(buffered.subarray(pos + 4, pos + 4 + n));
    pos += 4 + n;
  }
  return { bodies, rest: buffered.subarray(pos) };
}

function frame(parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}

function str(b: Buffer): Buffer {
  return Buffer.concat([u32(b.length), b]);
}

export function failureFrame(): Buffer {
  return frame([Buffer.from([MSG.FAILURE])]);
}

export function successFrame(): Buffer {
  return frame([Buffer.from([MSG.SUCCESS])]);
}

export function identitiesFrame(keys: readonly { blob: Buffer; comment: string }[]): Buffer {
  return frame([Buffer.from([MSG.IDENTITIES_ANSWER]), u32(keys.length), ...keys.flatMap((k) => [str(k.blob), str(Buffer.from(k.comment, 'utf8'))])]);
}

export function signResponseFrame(signature: Buffer): Buffer {
  return frame([Buffer.from([MSG.SIGN_RESPONSE]), str(signature)]);
}
