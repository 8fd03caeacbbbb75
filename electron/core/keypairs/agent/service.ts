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
import { agentSignature } from './sign.js';

export const AGENT_KEY_TABLE = 'ssh_agent_keys';

interface AgentKeySetting {
  keypair_name: string;
  fingerprint: string;
  offered: boolean;
  allow_sha1: boolean;
  host_keys?: string[];
}

function settingOf(ctx: KmsContext, k: KeypairRecord): AgentKeySetting | undefined {
  const s = ctx.store.read<AgentKeySetting>(AGENT_KEY_TABLE, k.name);
  return s && s.fingerprint === k.fingerprint ? s : undefined;
}

function describe(ctx: KmsContext, k: KeypairRecord): SshAgentKey {
  const s = settingOf(ctx, k);
  const hosted = k.private_key !== null;
  return { keypair_name: k.name, offered: Boolean(s?.offered && hosted), allow_sha1: Boolean(s?.allow_sha1), host_keys: s?.host_keys ?? [], hosted, key_type: k.key_type, fingerprint: k.fingerprint, public_key: k.public_key };
}

function notOffered(name: string): KeyholdError {
  return new KeyholdError(AgentErrors.NotOffered, `Key pair '${name}' is not offered to ssh (keyhold ssh-agent set-key --keypair-name ${name} --offered true).`, 403);
}

export const sshAgentHandlers: Handlers<typeof sshAgentOperations, KmsContext> = {
  sshAgentListKeys(ctx) {
    const all = ctx.store.list<KeypairRecord>(KEYPAIR_TABLE).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { keys: all.map((k) => describe(ctx, k)) };
  },

  sshAgentSetKey(ctx, input) {
    const k = getKeypair(ctx, input.keypair_name);
    if (input.offered && k.private_key === null) {
      throw new KeyholdError(AgentErrors.NotOffered, `Key pair '${k.name}' has no hosted private key, so the agent cannot sign with it; import it with kps import-private-key first.`, 400);
    }
    const setting: AgentKeySetting = { keypair_name: k.name, fingerprint: k.fingerprint, offered: input.offered, allow_sha1: input.allow_sha1, host_keys: [...new Set(input.host_keys)] };
    ctx.store.put(AGENT_KEY_TABLE, k.name, setting);
    return { key: { ...describe(ctx, k), offered: input.offered, allow_sha1: input.allow_sha1, host_keys: setting.host_keys ?? [] } };
  },

  async sshAgentSign(ctx, input) {
    const k = getKeypair(ctx, input.keypair_name);
    const s = settingOf(ctx, k);
    if (!s?.offered || k.private_key === null) throw notOffered(k.name);
    const hosts = s.host_keys ?? [];
    if (hosts.length && !(input.host_key && hosts.includes(input.host_key))) {
      throw new KeyholdError(AgentErrors.OtherHost, `Key pair '${k.name}' is bound to other servers' host keys${input.host_key ? ` (this server: ${input.host_key})` : ' and ssh did not say which server this is'}.`, 403);
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
