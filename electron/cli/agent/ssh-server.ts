/**
 * The SSH agent socket: answers ssh and ssh-add from the key pairs the user offered
 * (`ssh-agent set-key`), through the same audited operations as every other call. Locked, it
 * lists no keys and refuses to sign at once. Keys are never added from outside: ssh-add of a
 * file is refused (the protocol's failure has no text, so the reason goes to the agent's log).
 */
import type { Socket } from 'node:net';
import { KeyholdError } from '../../../shared/errors.js';
import { findOperation, type RegisteredOperation } from '../../core/api/index.js';
import type { SshAgentKey } from '../../../shared/operations/ssh-agent.js';
import { failureFrame, identitiesFrame, MalformedAgentMessage, parseAgentRequest, signResponseFrame, successFrame, takeFrames, type AgentRequest } from './ssh-protocol.js';
import { verifiedHostKey } from './session-bind.js';
import type { VaultHolder } from './vault-holder.js';

function operation(name: string): RegisteredOperation {
  const op = findOperation('ssh-agent', name);
  if (!op) throw new Error(`ssh-agent ${name} is not registered`);
  return op;
}

const LIST = operation('list-keys');
const SIGN = operation('sign');

interface Offered {
  name: string;
  blob: Buffer;
  hostKeys: string[];
}

/** The offered key pairs in their stable order (by name), with their public key blobs; not activity. */
async function offeredKeys(holder: VaultHolder): Promise<Offered[]> {
  const { keys } = (await holder.use((s) => s.run(LIST, {}, 'agent'), false)) as { keys: SshAgentKey[] };
  return keys.filter((k) => k.offered).map((k) => ({ name: k.keypair_name, blob: Buffer.from(k.public_key.split(' ')[1] ?? '', 'base64'), hostKeys: k.host_keys }));
}

export class SshAgentConnection {
  private buffered: Buffer = Buffer.alloc(0);
  /** Requests are answered in order, one at a time, as the protocol requires. */
  private queue: Promise<void> = Promise.resolve();
  /** The keys last listed on this connection (ssh lists, then signs); sign re-checks each. */
  private listed: Offered[] = [];
  /** The server this connection is for, once ssh bound it (session-bind@openssh.com): its host key fingerprint. */
  private boundHost: string | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly holder: VaultHolder,
    private readonly log: (line: string) => void,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
  }

  private onData(chunk: Buffer): void {
    try {
      const { bodies, rest } = takeFrames(Buffer.concat([this.buffered, chunk]));
      this.buffered = Buffer.from(rest);
      for (const body of bodies) {
        const copy = Buffer.from(body);
        this.queue = this.queue.then(() => this.answer(copy));
      }
    } catch (e) {
      this.log(`ssh: closed a connection: ${(e as Error).message}`);
      this.socket.destroy();
    }
  }

  private async answer(body: Buffer): Promise<void> {
    let reply: Buffer;
    try {
      reply = await this.handle(parseAgentRequest(body));
    } catch (e) {
      if (e instanceof MalformedAgentMessage) this.log(`ssh: malformed request: ${e.message}`);
      else if (e instanceof KeyholdError) this.log(`ssh: refused: ${e.code} ${e.message}`);
      else this.log(`ssh: internal error: ${(e as Error).message}`);
      reply = failureFrame();
    }
    if (!this.socket.destroyed) this.socket.write(reply);
  }

  private mayUse(k: Offered): boolean {
    return k.hostKeys.length === 0 || (this.boundHost !== undefined && k.hostKeys.includes(this.boundHost));
  }

  private async handle(req: AgentRequest): Promise<Buffer> {
    switch (req.type) {
      case 'identities': {
        if (this.holder.locked) return identitiesFrame([]);
        // A key bound to host keys is listed only to a connection ssh bound to one of them.
        const keys = (await offeredKeys(this.holder)).filter((k) => this.mayUse(k));
        this.listed = keys;
        return identitiesFrame(keys.map((k) => ({ blob: k.blob, comment: `keyhold:${k.name}` })));
      }
      case 'sign': {
        if (this.holder.locked) {
          this.log('ssh: sign refused: the agent is locked');
          return failureFrame();
        }
        const key = this.listed.find((k) => k.blob.equals(req.keyBlob)) ?? (await offeredKeys(this.holder)).find((k) => k.blob.equals(req.keyBlob));
        if (!key) {
          this.log('ssh: sign refused: the key is not one this agent offers');
          return failureFrame();
        }
        const input = { keypair_name: key.name, data: req.data.toString('base64'), flags: req.flags, ...(this.boundHost ? { host_key: this.boundHost } : {}) };
        const r = (await this.holder.use((s) => s.run(SIGN, input, 'agent'))) as { signature: string; algorithm: string };
        this.log(`ssh: signed with key pair ${key.name} (${r.algorithm})`);
        return signResponseFrame(Buffer.from(r.signature, 'base64'));
      }
      case 'lock':
        // The passphrase ssh-add -x asks for is not kept: unlocking takes the master password.
        return (await this.holder.lock('ssh-add')) ? successFrame() : failureFrame();
      case 'unlock': {
        if (!this.holder.locked) return failureFrame();
        const password = req.passphrase.toString('utf8');
        await this.holder.unlock(async () => ({ password }));
        return successFrame();
      }
      case 'add':
        this.log('ssh: refused ssh-add of an outside key: keys belong in the vault (keyhold kps create-keypair … key_protection, then keyhold ssh-agent set-key --offered true)');
        return failureFrame();
      case 'remove':
        this.log('ssh: refused removing identities: choose offered keys with keyhold ssh-agent set-key --offered false');
        return failureFrame();
      case 'session-bind': {
        const host = verifiedHostKey(req);
        if (!host) {
          this.log('ssh: session-bind refused: the host key signature does not verify');
          this.boundHost = undefined;
          return failureFrame();
        }
        // With agent forwarding, later binds name the next hop; the last one is where signatures go.
        this.boundHost = host;
        return successFrame();
      }
      case 'extension':
        return failureFrame();
      case 'unknown':
        this.log(`ssh: unknown request type ${req.code}`);
        return failureFrame();
    }
  }
}
