/**
 * The `ssh-agent` operations on a real session: key pairs are not offered until set; only
 * hosted ones can be; a setting does not carry over to a new key pair of the same name; sign
 * refuses what is not offered and audits key pair and outcome, never the data.
 */
import { generateKeyPairSync } from 'node:crypto';
import sshpk from 'sshpk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Session } from '../../../electron/core/api/index.js';
import { KeyholdError } from '../../../shared/errors.js';
import type { KeypairAlgorithm } from '../../../electron/core/keypairs/generate.js';
import { newSession } from '../../helpers/vault.js';

const hosted = (name: string, algorithm: KeypairAlgorithm = 'SSH_ED25519') => ({ keypair: { name, algorithm, key_protection: { encryption: { type: 'default' as const } } } });

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KeyholdError) return e.code;
    throw e;
  }
  return 'no refusal';
}

describe('ssh-agent operations', () => {
  let session: Session;
  beforeEach(async () => {
    ({ session } = await newSession());
  });
  afterEach(() => session.close());

  const list = async () => (await session.invoke('sshAgentListKeys', {}, 'cli')).keys;

  it('offers nothing until set, only hosted key pairs, in name order', async () => {
    await session.invoke('createKeypair', hosted('b'), 'cli');
    await session.invoke('createKeypair', hosted('a'), 'cli');
    const pub = generateKeyPairSync('ed25519').publicKey;
    const line = sshpk.parseKey(pub.export({ format: 'pem', type: 'spki' }), 'pem').toString('ssh');
    await session.invoke('createKeypair', { keypair: { name: 'public-only', public_key: line } }, 'cli');
    expect((await list()).map((k) => [k.keypair_name, k.offered, k.hosted])).toEqual([['a', false, true], ['b', false, true], ['public-only', false, false]]);
    expect(await refusal(session.invoke('sshAgentSetKey', { keypair_name: 'public-only', offered: true }, 'cli'))).toBe('AGENT.0101');
    await session.invoke('sshAgentSetKey', { keypair_name: 'b', offered: true }, 'cli');
    expect((await list()).filter((k) => k.offered).map((k) => k.keypair_name)).toEqual(['b']);
  });

  it('signs only with offered key pairs; a new key pair under an old name is not offered', async () => {
    const created = await session.invoke('createKeypair', hosted('k'), 'cli');
    const data = Buffer.from('session id and userauth request').toString('base64');
    expect(await refusal(session.invoke('sshAgentSign', { keypair_name: 'k', data }, 'cli'))).toBe('AGENT.0101');
    await session.invoke('sshAgentSetKey', { keypair_name: 'k', offered: true }, 'cli');
    const signed = await session.invoke('sshAgentSign', { keypair_name: 'k', data }, 'agent');
    const key = sshpk.parseKey(created.keypair.public_key, 'ssh');
    const v = key.createVerify('sha512');
    v.update(Buffer.from(data, 'base64'));
    expect(v.verify(sshpk.parseSignature(Buffer.from(signed.signature, 'base64'), 'ed25519', 'ssh'))).toBe(true);

    await session.invoke('deleteKeypair', { keypair_name: 'k' }, 'cli');
    await session.invoke('createKeypair', hosted('k'), 'cli');
    expect((await list()).map((k) => k.offered)).toEqual([false]);
    expect(await refusal(session.invoke('sshAgentSign', { keypair_name: 'k', data }, 'agent'))).toBe('AGENT.0101');

    const events = await session.invoke('auditListEvents', { operation: 'ssh-agent sign' }, 'cli');
    expect(events.events.map((e) => [e.transport, e.outcome])).toEqual([['agent', 'AGENT.0101'], ['agent', 'success'], ['cli', 'AGENT.0101']]);
    const log = JSON.stringify(events);
    expect(log).not.toContain(data);
    for (const e of events.events) expect(Object.keys(e.fields).sort()).toEqual(['flags', 'keypair_name']);
  });

  it('a key pair bound to host keys signs only for those servers', async () => {
    await session.invoke('createKeypair', hosted('h'), 'cli');
    const here = `SHA256:${'B'.repeat(43)}`;
    const there = `SHA256:${'C'.repeat(43)}`;
    const set = await session.invoke('sshAgentSetKey', { keypair_name: 'h', offered: true, host_keys: [here, here] }, 'cli');
    expect(set.key.host_keys).toEqual([here]);
    expect(await refusal(session.invoke('sshAgentSetKey', { keypair_name: 'h', offered: true, host_keys: ['example.com'] }, 'cli'))).toBe('AGENT.0002');
    const data = Buffer.from('x').toString('base64');
    expect(await refusal(session.invoke('sshAgentSign', { keypair_name: 'h', data }, 'agent'))).toBe('AGENT.0104');
    expect(await refusal(session.invoke('sshAgentSign', { keypair_name: 'h', data, host_key: there }, 'agent'))).toBe('AGENT.0104');
    expect(await session.invoke('sshAgentSign', { keypair_name: 'h', data, host_key: here }, 'agent')).toMatchObject({ algorithm: 'ssh-ed25519' });
    const events = await session.invoke('auditListEvents', { operation: 'ssh-agent sign' }, 'cli');
    expect(events.events.map((e) => [e.outcome, e.fields.host_key ?? null])).toEqual([['success', here], ['AGENT.0104', there], ['AGENT.0104', null]]);
  });
});
