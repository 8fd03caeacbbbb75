/**
 * The SSH agent socket: answers ssh and ssh-add from the key pairs the user offered
 * (`ssh-agent set-key`), through the same audited operations as every other call. Locked, it
 * lists no keys and refuses to sign at once. Keys are never added from outside: ssh-add of a
 * file is refused (the protocol's failure has no text, so the reason goes to the agent's log).
 */
import type { Socket } from 'node:net';
import { KeyholdError } from '../../shared/errors.js';
import { findOperation, type RegisteredOperation } from '../core/api/index.js';
import type { SshAgentKey } from '../../shared/operations/ssh-agent.js';
import {
  failureFrame,
  identitiesFrame,
  MalformedAgentMessage,
  parseAgentRequest,
  signResponseFrame,
  successFrame,
  takeFrames,
  type AgentRequest,
} from './ssh-protocol.js';
import { verifiedHostKey } from './session-bind.js';
import type { SignConfirmation, SignConfirmer } from './confirm.js';
import { peerProcess } from './peer-process.js';
import type { AgentVault } from './vault-holder.js';

function operation(name: string): RegisteredOperation {
  const op = findOperation('ssh-agent', name);
  if (!op) throw new Error(`ssh-agent ${name} is not registered`);
  return op;
}

const LIST = operation('list-keys');
const SIGN = operation('sign');

interface Offered {
  name: string;
  fingerprint: string;
  blob: Buffer;
  /** Offered to this connection's server (false: bound elsewhere; the service refuses and audits it). */
  admitted: boolean;
  /** The host pattern that admitted this connection's server, for the signature's audit entry. */
  hostPattern: string | undefined;
}

/**
 * The key pairs this connection may see, in their stable order (by name), with their public key
 * blobs: the service decides (host keys, host patterns; nothing bound without a session-bind).
 * Not activity.
 */
async function offeredKeys(holder: AgentVault, hostKey: string | undefined): Promise<Offered[]> {
  const input = { for_connection: true, ...(hostKey ? { host_key: hostKey } : {}) };
  return (await listKeys(holder, input)).map(offered);
}

/** Every offered key pair, whatever server it is bound to. */
async function offeredAnywhere(holder: AgentVault): Promise<Offered[]> {
  return (await listKeys(holder, {})).filter((k) => k.offered).map((k) => ({ ...offered(k), admitted: false, hostPattern: undefined }));
}

async function listKeys(holder: AgentVault, input: Record<string, unknown>): Promise<SshAgentKey[]> {
  return ((await holder.use((s) => s.run(LIST, input, 'agent'), false)) as { keys: SshAgentKey[] }).keys;
}

function offered(k: SshAgentKey): Offered {
  return {
    name: k.keypair_name,
    fingerprint: k.fingerprint,
    blob: Buffer.from(k.public_key.split(' ')[1] ?? '', 'base64'),
    admitted: true,
    hostPattern: k.host_pattern,
  };
}

function refusedFromForwarded(log: (line: string) => void, what: string): Buffer {
  log(`ssh: ${what} refused: this connection was forwarded to another host, which may not ${what} the agent`);
  return failureFrame();
}

/**
 * Unlocking through the SSH socket tries the master password: after a wrong one the next try
 * waits, doubling from 1 s to 60 s (per agent), so the socket is no fast password oracle.
 */
const unlockTries = new WeakMap<AgentVault, { failures: number; until: number }>();

function unlockWait(holder: AgentVault): number {
  const t = unlockTries.get(holder);
  return t ? Math.max(0, t.until - Date.now()) : 0;
}

function unlockFailed(holder: AgentVault): void {
  const failures = (unlockTries.get(holder)?.failures ?? 0) + 1;
  unlockTries.set(holder, { failures, until: Date.now() + Math.min(60_000, 1_000 * 2 ** (failures - 1)) });
}

function unlockSucceeded(holder: AgentVault): void {
  unlockTries.delete(holder);
}

export class SshAgentConnection {
  private buffered: Buffer = Buffer.alloc(0);
  /** Requests are answered in order, one at a time, as the protocol requires. */
  private queue: Promise<void> = Promise.resolve();
  /** The keys last listed on this connection (ssh lists, then signs); sign re-checks each. */
  private listed: Offered[] = [];
  /**
   * The server this connection authenticates to, once ssh bound it (session-bind@openssh.com,
   * not forwarding): its host key fingerprint and the session id the server signed.
   */
  private binding: { host: string; sessionId: Buffer } | undefined;
  /**
   * Set by a forwarding bind or a refused rebind, for the connection's life: signatures may then
   * be for any host down the chain, so keys bound to hosts are neither offered nor used, and the
   * agent cannot be locked or unlocked from here (a forwarded host is not the user).
   */
  private unbindable = false;

  /** The host key signatures on this connection are for; undefined when keys bound to hosts are off. */
  private get boundHost(): string | undefined {
    return this.unbindable ? undefined : this.binding?.host;
  }

  /**
   * The host a signature of `data` is for: the bound host only when `data` is a user
   * authentication for the bound session (it starts with that session's id), as OpenSSH's
   * agent checks; anything else is signed, if at all, as for no host.
   */
  private hostFor(data: Buffer): string | undefined {
    const host = this.boundHost;
    if (!host || !this.binding) return undefined;
    const length = data.length >= 4 ? data.readUInt32BE(0) : -1;
    const sessionId = length >= 0 && length <= data.length - 4 ? data.subarray(4, 4 + length) : undefined;
    return sessionId?.equals(this.binding.sessionId) ? host : undefined;
  }

  constructor(
    private readonly socket: Socket,
    private readonly holder: AgentVault,
    private readonly log: (line: string) => void,
    /** Present when the user confirms each signature (the desktop app). */
    private readonly confirmer?: SignConfirmer,
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

  private async confirm(key: Offered, bound: { host_key?: string; host_pattern?: string }): Promise<SignConfirmation | undefined> {
    if (!this.confirmer) return undefined;
    const epoch = this.holder.epoch;
    const peer = await peerProcess(this.socket).catch(() => undefined);
    return this.confirmer.decide({ keypair_name: key.name, fingerprint: key.fingerprint, ...bound, ...(peer ? { process: peer } : {}) }, epoch);
  }

  private async handle(req: AgentRequest): Promise<Buffer> {
    switch (req.type) {
      case 'identities': {
        if (this.holder.locked) return identitiesFrame([]);
        const keys = await offeredKeys(this.holder, this.boundHost);
        this.listed = keys;
        return identitiesFrame(keys.map((k) => ({ blob: k.blob, comment: `keyhold:${k.name}` })));
      }
      case 'sign': {
        if (this.holder.locked) {
          this.log('ssh: sign refused: the agent is locked');
          return failureFrame();
        }
        // Listed on this connection, or (ssh may sign without listing) offered to it now; a key
        // offered only to other servers goes to the service too, which refuses it and audits that.
        const key =
          this.listed.find((k) => k.blob.equals(req.keyBlob)) ??
          (await offeredKeys(this.holder, this.boundHost)).find((k) => k.blob.equals(req.keyBlob)) ??
          (await offeredAnywhere(this.holder)).find((k) => k.blob.equals(req.keyBlob));
        if (!key) {
          this.log('ssh: sign refused: the key is not one this agent offers to this connection');
          return failureFrame();
        }
        const host = this.hostFor(req.data);
        const bound = { ...(host ? { host_key: host } : {}), ...(host && key.hostPattern ? { host_pattern: key.hostPattern } : {}) };
        // Only a signature the service would make is put to the user; its answer is audited with it.
        const epoch = this.holder.epoch;
        const confirmation = this.confirmer && key.admitted ? await this.confirm(key, bound) : undefined;
        if (this.holder.epoch !== epoch || this.holder.locked) {
          this.log('ssh: sign refused: the vault locked while the signature waited for its confirmation');
          return failureFrame();
        }
        const input = { keypair_name: key.name, data: req.data.toString('base64'), flags: req.flags, ...bound, ...(confirmation ? { confirmation } : {}) };
        const r = (await this.holder.use((s) => s.run(SIGN, input, 'agent'))) as { signature: string; algorithm: string };
        this.log(`ssh: signed with key pair ${key.name} (${r.algorithm})`);
        return signResponseFrame(Buffer.from(r.signature, 'base64'));
      }
      case 'lock':
        if (this.unbindable) return refusedFromForwarded(this.log, 'lock');
        // The passphrase ssh-add -x asks for is not kept: unlocking takes the master password.
        return (await this.holder.lock('ssh-add')) ? successFrame() : failureFrame();
      case 'unlock': {
        if (this.unbindable) return refusedFromForwarded(this.log, 'unlock');
        if (!this.holder.locked) return failureFrame();
        const wait = unlockWait(this.holder);
        if (wait > 0) {
          this.log(`ssh: unlock refused: wrong master passwords were tried; wait ${Math.ceil(wait / 1000)} s`);
          return failureFrame();
        }
        const password = req.passphrase.toString('utf8');
        try {
          await this.holder.unlock(async () => ({ password }));
        } catch (e) {
          unlockFailed(this.holder);
          throw e;
        }
        unlockSucceeded(this.holder);
        return successFrame();
      }
      case 'add':
        this.log(
          'ssh: refused ssh-add of an outside key: keys belong in the vault (keyhold kps create-keypair … key_protection, then keyhold ssh-agent set-key --offered true)',
        );
        return failureFrame();
      case 'remove':
        this.log('ssh: refused removing identities: choose offered keys with keyhold ssh-agent set-key --offered false');
        return failureFrame();
      case 'session-bind': {
        const host = verifiedHostKey(req);
        this.listed = [];
        if (!host) {
          this.log('ssh: session-bind refused: the host key signature does not verify');
          this.binding = undefined;
          return failureFrame();
        }
        if (req.forwarding) {
          // The agent goes on to another host: signatures on this connection may be for any host
          // down the chain, which the agent cannot see, so keys bound to hosts stay off here.
          this.unbindable = true;
          return successFrame();
        }
        if (this.binding) {
          // One authentication per connection (as OpenSSH's agent): a second bind is someone
          // re-pointing the connection, and keys bound to hosts stay off for its life.
          this.log('ssh: session-bind refused: this connection was already bound for an authentication');
          this.unbindable = true;
          return failureFrame();
        }
        this.binding = { host, sessionId: Buffer.from(req.sessionId) };
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
