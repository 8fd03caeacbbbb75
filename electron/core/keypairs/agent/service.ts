/**
 * Which key pairs `keyhold agent` offers to ssh (a record per key pair, off until the user
 * sets it), and the signatures it makes with them. A setting names the key pair's fingerprint
 * too: a key pair deleted and created again under the same name is not offered by an old yes.
 */
import type { Handlers } from '../../../../shared/operations/index.js';
import { AgentErrors, type SshAgentKey, type sshAgentOperations } from '../../../../shared/operations/ssh-agent.js';
import { KeyholdError } from '../../../../shared/errors.js';
import type { KmsContext } from '../../kms/context.js';
import { readPrivateKey } from '../formats/index.js';
import { getKeypair, KEYPAIR_TABLE, unsealPrivateKey, type KeypairRecord } from '../records.js';
import { matchingPattern } from './host-names.js';
import { knownNamesOf } from './known-servers.js';
import { agentSignature } from './sign.js';

export const AGENT_KEY_TABLE = 'ssh_agent_keys';

interface AgentKeySetting {
  keypair_name: string;
  fingerprint: string;
  offered: boolean;
  allow_sha1: boolean;
  host_keys?: string[];
  hosts?: string[];
}

/** Whether a key's bindings admit the server of a connection, and by which host pattern. */
type Admission = { admitted: false } | { admitted: true; pattern?: string };

/**
 * The one place that decides which servers a key pair serves. Unbound: every connection. Bound
 * (host keys and/or host patterns): only a connection ssh bound to a server (session-bind) whose
 * host key is listed, or whose names (pinned servers, known_hosts) a pattern matches. A
 * connection ssh did not bind gets no bound key: the agent cannot tell where it goes.
 */
function admission(ctx: KmsContext, s: AgentKeySetting, hostKey: string | undefined): Admission {
  const keys = s.host_keys ?? [];
  const patterns = s.hosts ?? [];
  if (!keys.length && !patterns.length) return { admitted: true };
  if (!hostKey) return { admitted: false };
  if (keys.includes(hostKey)) return { admitted: true };
  if (!patterns.length) return { admitted: false };
  const pattern = matchingPattern(patterns, knownNamesOf(ctx.store, hostKey));
  return pattern ? { admitted: true, pattern } : { admitted: false };
}

function settingOf(ctx: KmsContext, k: KeypairRecord): AgentKeySetting | undefined {
  const s = ctx.store.read<AgentKeySetting>(AGENT_KEY_TABLE, k.name);
  return s && s.fingerprint === k.fingerprint ? s : undefined;
}

function describe(ctx: KmsContext, k: KeypairRecord): SshAgentKey {
  const s = settingOf(ctx, k);
  const hosted = k.private_key !== null;
  return {
    keypair_name: k.name,
    offered: Boolean(s?.offered && hosted),
    allow_sha1: Boolean(s?.allow_sha1),
    host_keys: s?.host_keys ?? [],
    hosts: s?.hosts ?? [],
    hosted,
    key_type: k.key_type,
    fingerprint: k.fingerprint,
    public_key: k.public_key,
  };
}

function notOffered(name: string): KeyholdError {
  return new KeyholdError(
    AgentErrors.NotOffered,
    `Key pair '${name}' is not offered to ssh (keyhold ssh-agent set-key --keypair-name ${name} --offered true).`,
    403,
  );
}

export const sshAgentHandlers: Handlers<typeof sshAgentOperations, KmsContext> = {
  sshAgentListKeys(ctx, input) {
    const all = ctx.store.list<KeypairRecord>(KEYPAIR_TABLE).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (!input.for_connection) return { keys: all.map((k) => describe(ctx, k)) };
    const keys: SshAgentKey[] = [];
    for (const k of all) {
      const s = settingOf(ctx, k);
      if (!s?.offered || k.private_key === null) continue;
      const a = admission(ctx, s, input.host_key);
      if (a.admitted) keys.push({ ...describe(ctx, k), ...(a.pattern ? { host_pattern: a.pattern } : {}) });
    }
    return { keys };
  },

  sshAgentSetKey(ctx, input) {
    const k = getKeypair(ctx, input.keypair_name);
    if (input.offered && k.private_key === null) {
      throw new KeyholdError(
        AgentErrors.NotOffered,
        `Key pair '${k.name}' has no hosted private key, so the agent cannot sign with it; import it with kps import-private-key first.`,
        400,
      );
    }
    const hosts = [...new Set(input.hosts.split(',').filter(Boolean))];
    const setting: AgentKeySetting = {
      keypair_name: k.name,
      fingerprint: k.fingerprint,
      offered: input.offered,
      allow_sha1: input.allow_sha1,
      host_keys: [...new Set(input.host_keys)],
      hosts,
    };
    ctx.store.put(AGENT_KEY_TABLE, k.name, setting);
    return { key: { ...describe(ctx, k), offered: input.offered, allow_sha1: input.allow_sha1, host_keys: setting.host_keys ?? [], hosts } };
  },

  async sshAgentSign(ctx, input) {
    const k = getKeypair(ctx, input.keypair_name);
    const s = settingOf(ctx, k);
    if (!s?.offered || k.private_key === null) throw notOffered(k.name);
    const a = admission(ctx, s, input.host_key);
    if (!a.admitted) {
      throw new KeyholdError(
        AgentErrors.OtherHost,
        `Key pair '${k.name}' is bound to other servers${input.host_key ? ` (this server: ${input.host_key}, known as none of its host patterns)` : ', and ssh did not say which server this is'}.`,
        403,
      );
    }
    // The audit entry names the pattern that admitted the server: the caller must name it, and it must be the one.
    if (a.pattern !== undefined ? input.host_pattern !== a.pattern : input.host_pattern !== undefined) {
      throw new KeyholdError(
        AgentErrors.OtherHost,
        `Key pair '${k.name}': host_pattern must name the pattern that admits this server (${a.pattern ?? 'none: not admitted by a pattern'}).`,
        403,
      );
    }
    if (input.confirmation === 'denied' || input.confirmation === 'timed-out') {
      throw new KeyholdError(
        AgentErrors.NotConfirmed,
        `The signature with key pair '${k.name}' was ${input.confirmation === 'denied' ? 'denied' : 'not confirmed in time'} in the Keyhold app.`,
        403,
      );
    }
    const { privateKey } = await readPrivateKey(unsealPrivateKey(ctx, k));
    try {
      const { algorithm, blob } = agentSignature(privateKey, Buffer.from(input.data, 'base64'), input.flags, s.allow_sha1);
      return { algorithm, signature: blob.toString('base64') };
    } finally {
      // The parsed key's secret parts are plain Buffers; wipe them rather than wait for the GC.
      for (const v of Object.values(privateKey)) if (Buffer.isBuffer(v)) v.fill(0);
    }
  },
};
