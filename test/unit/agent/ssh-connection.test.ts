// The SSH agent connection against hostile clients (the adversarial review of issue 22): a
// forwarded connection or a second bind never gets keys bound to hosts, a signature is for the
// bound host only when its data is that session's, a forwarded host can neither lock nor unlock
// the agent, wrong unlock passwords slow down, and a lock while a confirmation waits refuses.
import { generateKeyPairSync, sign as signWith } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sshpk from 'sshpk';
import { afterEach, describe, expect, it } from 'vitest';
import { SignConfirmer } from '../../../electron/agent/confirm.js';
import { SshAgentConnection } from '../../../electron/agent/ssh-server.js';

const SUCCESS = 6;
const FAILURE = 5;
const SIGN_RESPONSE = 14;

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const str = (b: Buffer | string) => Buffer.concat([u32(Buffer.byteLength(b)), Buffer.from(b)]);
const frame = (body: Buffer) => Buffer.concat([u32(body.length), body]);

const userKey = Buffer.concat([str('ssh-ed25519'), str(Buffer.alloc(32, 7))]);

/** A host key and a session-bind it signs. */
function host() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const blob = Buffer.concat([str('ssh-ed25519'), str(raw)]);
  const fingerprint = sshpk.parseKey(blob, 'rfc4253').fingerprint('sha256').toString();
  const bind = (sessionId: Buffer, forwarding: boolean) => {
    const sig = Buffer.concat([str('ssh-ed25519'), str(signWith(null, sessionId, privateKey))]);
    return frame(Buffer.concat([Buffer.from([27]), str('session-bind@openssh.com'), str(blob), str(sessionId), str(sig), Buffer.from([forwarding ? 1 : 0])]));
  };
  return { fingerprint, bind };
}

const signRequest = (data: Buffer) => frame(Buffer.concat([Buffer.from([13]), str(userKey), str(data), u32(0)]));
const userauthFor = (sessionId: Buffer) => Buffer.concat([str(sessionId), Buffer.from([50]), str('user'), str('ssh-connection'), str('publickey')]);

/** A vault stand-in: one offered key; what each sign was asked for is recorded. */
function fakeHolder() {
  const signs: Record<string, unknown>[] = [];
  const holder = {
    locked: false,
    epoch: 0,
    unlocks: 0,
    async use<T>(work: (s: unknown) => Promise<T>): Promise<T> {
      return work({
        run: async (op: { decl: { name: string } }, input: Record<string, unknown>) => {
          if (op.decl.name === 'list-keys')
            return { keys: [{ keypair_name: 'k', fingerprint: 'SHA256:k', public_key: `ssh-ed25519 ${userKey.toString('base64')}`, offered: true }] };
          signs.push(input);
          return { signature: Buffer.from('sig').toString('base64'), algorithm: 'ssh-ed25519' };
        },
      });
    },
    async lock() {
      this.locked = true;
      this.epoch += 1;
      return true;
    },
    async unlock() {
      this.unlocks += 1;
      throw Object.assign(new Error('wrong password'), { code: 'VAULT.0101' });
    },
  };
  return { holder, signs };
}

let server: Server | undefined;
afterEach(() => server?.close());

async function agent(holder: unknown, confirmer?: SignConfirmer): Promise<{ ask: (msg: Buffer) => Promise<number>; client: Socket }> {
  const path = join(mkdtempSync(join(tmpdir(), 'kh-agent-conn-')), 's');
  server = createServer((s) => new SshAgentConnection(s, holder as never, () => undefined, confirmer));
  await new Promise<void>((r) => server!.listen(path, r));
  const client = connect(path);
  const replies: ((type: number) => void)[] = [];
  let buffered = Buffer.alloc(0);
  client.on('data', (d: Buffer) => {
    buffered = Buffer.concat([buffered, d]);
    while (buffered.length >= 5 && buffered.length >= 4 + buffered.readUInt32BE(0)) {
      replies.shift()?.(buffered[4] as number);
      buffered = buffered.subarray(4 + buffered.readUInt32BE(0));
    }
  });
  const ask = (msg: Buffer) =>
    new Promise<number>((resolve) => {
      replies.push(resolve);
      client.write(msg);
    });
  return { ask, client };
}

describe('SSH agent connection: binds, forwarding and lock', () => {
  it("signs for the bound host only when the data is that session's user authentication", async () => {
    const { holder, signs } = fakeHolder();
    const { ask, client } = await agent(holder);
    const c = host();
    const session = Buffer.alloc(32, 1);
    expect(await ask(c.bind(session, false))).toBe(SUCCESS);
    expect(await ask(signRequest(userauthFor(session)))).toBe(SIGN_RESPONSE);
    expect(await ask(signRequest(userauthFor(Buffer.alloc(32, 2))))).toBe(SIGN_RESPONSE);
    expect(signs.map((s) => s.host_key ?? null)).toEqual([c.fingerprint, null]);
    client.destroy();
  });

  it('after a forwarding bind, no signature is for a bound host, whatever binds follow (the forwarded-agent attack)', async () => {
    const { holder, signs } = fakeHolder();
    const { ask, client } = await agent(holder);
    const a = host();
    const c = host();
    const session = Buffer.alloc(32, 3);
    expect(await ask(a.bind(Buffer.alloc(32, 9), true))).toBe(SUCCESS);
    expect(await ask(c.bind(session, false))).toBe(SUCCESS);
    expect(await ask(signRequest(userauthFor(session)))).toBe(SIGN_RESPONSE);
    expect(signs.map((s) => s.host_key ?? null)).toEqual([null]);
    client.destroy();
  });

  it('refuses a second authentication bind, and keeps keys bound to hosts off for the connection', async () => {
    const { holder, signs } = fakeHolder();
    const { ask, client } = await agent(holder);
    const a = host();
    const c = host();
    expect(await ask(a.bind(Buffer.alloc(32, 4), false))).toBe(SUCCESS);
    expect(await ask(c.bind(Buffer.alloc(32, 5), false))).toBe(FAILURE);
    expect(await ask(signRequest(userauthFor(Buffer.alloc(32, 5))))).toBe(SIGN_RESPONSE);
    expect(await ask(signRequest(userauthFor(Buffer.alloc(32, 4))))).toBe(SIGN_RESPONSE);
    expect(signs.map((s) => s.host_key ?? null)).toEqual([null, null]);
    client.destroy();
  });

  it('a forwarded connection can neither lock nor unlock the agent; wrong unlock passwords wait', async () => {
    const { holder } = fakeHolder();
    const { ask, client } = await agent(holder);
    expect(await ask(host().bind(Buffer.alloc(32, 6), true))).toBe(SUCCESS);
    expect(await ask(frame(Buffer.concat([Buffer.from([22]), str('x')])))).toBe(FAILURE);
    expect(holder.locked).toBe(false);
    client.destroy();

    const local = await agent(holder);
    expect(await local.ask(frame(Buffer.concat([Buffer.from([22]), str('x')])))).toBe(SUCCESS);
    expect(holder.locked).toBe(true);
    expect(await local.ask(frame(Buffer.concat([Buffer.from([23]), str('guess-1')])))).toBe(FAILURE);
    // The next guess comes before the wait is over: refused without trying the password.
    expect(await local.ask(frame(Buffer.concat([Buffer.from([23]), str('guess-2')])))).toBe(FAILURE);
    expect(holder.unlocks).toBe(1);
    local.client.destroy();
  });

  it('a lock while the confirmation waits refuses the signature, whatever the answer', async () => {
    const { holder, signs } = fakeHolder();
    let answer: (a: 'once') => void = () => undefined;
    const confirmer = new SignConfirmer(() => new Promise((r) => (answer = r as never)));
    const { ask, client } = await agent(holder, confirmer);
    const reply = ask(signRequest(Buffer.from('data')));
    await new Promise((r) => setTimeout(r, 100));
    await holder.lock();
    holder.locked = false;
    answer('once');
    expect(await reply).toBe(FAILURE);
    expect(signs).toEqual([]);
    client.destroy();
  });
});
