/**
 * The `ssh-agent` operations on a real session: key pairs are not offered until set; only
 * hosted ones can be; a setting does not carry over to a new key pair of the same name; sign
 * refuses what is not offered and audits key pair and outcome, never the data.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sshpk from 'sshpk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Session } from '../../../electron/core/api/index.js';
import { KeyholdError } from '../../../shared/errors.js';
import type { KeypairAlgorithm } from '../../../electron/core/keypairs/generate.js';
import type { SshAgentKey } from '../../../shared/operations/ssh-agent.js';
import { sshKeygen } from '../../helpers/sshd.js';
import { newSession, tempDir } from '../../helpers/vault.js';

const hosted = (name: string, algorithm: KeypairAlgorithm = 'SSH_ED25519') => ({
  keypair: { name, algorithm, key_protection: { encryption: { type: 'default' as const } } },
});

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
    expect((await list()).map((k) => [k.keypair_name, k.offered, k.hosted])).toEqual([
      ['a', false, true],
      ['b', false, true],
      ['public-only', false, false],
    ]);
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
    expect(events.events.map((e) => [e.transport, e.outcome])).toEqual([
      ['agent', 'AGENT.0101'],
      ['agent', 'success'],
      ['cli', 'AGENT.0101'],
    ]);
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
    expect(events.events.map((e) => [e.outcome, e.fields.host_key ?? null])).toEqual([
      ['success', here],
      ['AGENT.0104', there],
      ['AGENT.0104', null],
    ]);
  });

  it('a key pair bound to host patterns: listed and used only for servers known by a matching name', async () => {
    const home = tempDir();
    const hostPub = sshKeygen(home, 'host').publicKey.trim().split(' ').slice(0, 2).join(' ');
    const here = `SHA256:${createHash('sha256')
      .update(Buffer.from(hostPub.split(' ')[1] as string, 'base64'))
      .digest('base64')
      .replace(/=+$/, '')}`;
    mkdirSync(join(home, '.ssh'));
    writeFileSync(join(home, '.ssh', 'known_hosts'), `web1.corp.example,192.0.2.7 ${hostPub}\n`);
    const savedHome = process.env.HOME;
    process.env.HOME = home;
    try {
      for (const n of ['corp', 'far', 'free', 'negated']) await session.call('kps', 'create-keypair', hosted(n), 'cli');
      await session.call('ssh-agent', 'set-key', { keypair_name: 'corp', offered: true, hosts: 'bastion.corp.example,*.corp.example' }, 'cli');
      await session.call('ssh-agent', 'set-key', { keypair_name: 'far', offered: true, hosts: 'build.example.com' }, 'cli');
      await session.call('ssh-agent', 'set-key', { keypair_name: 'free', offered: true }, 'cli');
      await session.call('ssh-agent', 'set-key', { keypair_name: 'negated', offered: true, hosts: '*,!192.0.2.*' }, 'cli');
      expect(await refusal(session.call('ssh-agent', 'set-key', { keypair_name: 'far', offered: true, hosts: 'a b' }, 'cli'))).toBe('AGENT.0002');
      expect((await list()).find((k) => k.keypair_name === 'corp')?.hosts).toEqual(['bastion.corp.example', '*.corp.example']);
      const forConnection = async (host_key?: string) =>
        (
          (await session.call('ssh-agent', 'list-keys', { for_connection: true, ...(host_key ? { host_key } : {}) }, 'agent')) as { keys: SshAgentKey[] }
        ).keys.map((k) => [k.keypair_name, k.host_pattern ?? null]);
      expect(await forConnection(here)).toEqual([
        ['corp', '*.corp.example'],
        ['free', null],
      ]);
      // A connection ssh did not bind (ssh-add -L, old clients) sees no bound key.
      expect(await forConnection()).toEqual([['free', null]]);
      expect(await forConnection(`SHA256:${'D'.repeat(43)}`)).toEqual([['free', null]]);

      const data = Buffer.from('x').toString('base64');
      expect(await refusal(session.call('ssh-agent', 'sign', { keypair_name: 'far', data, host_key: here }, 'agent'))).toBe('AGENT.0104');
      expect(await refusal(session.call('ssh-agent', 'sign', { keypair_name: 'negated', data, host_key: here, host_pattern: '*' }, 'agent'))).toBe(
        'AGENT.0104',
      );
      expect(await refusal(session.call('ssh-agent', 'sign', { keypair_name: 'corp', data }, 'agent'))).toBe('AGENT.0104');
      // The audit must name the pattern that admitted the server: a missing or wrong claim is refused.
      expect(await refusal(session.call('ssh-agent', 'sign', { keypair_name: 'corp', data, host_key: here }, 'agent'))).toBe('AGENT.0104');
      expect(
        await refusal(session.call('ssh-agent', 'sign', { keypair_name: 'corp', data, host_key: here, host_pattern: 'bastion.corp.example' }, 'agent')),
      ).toBe('AGENT.0104');
      expect(await session.call('ssh-agent', 'sign', { keypair_name: 'corp', data, host_key: here, host_pattern: '*.corp.example' }, 'agent')).toMatchObject({
        algorithm: 'ssh-ed25519',
      });
      const events = (await session.call('audit', 'list-events', { operation: 'ssh-agent sign', limit: 1 }, 'cli')) as {
        events: { outcome: string; fields: Record<string, unknown> }[];
      };
      expect(events.events[0]).toMatchObject({ outcome: 'success', fields: { keypair_name: 'corp', host_key: here, host_pattern: '*.corp.example' } });

      // Revoked in known_hosts: the key names nothing, so no pattern admits the server.
      writeFileSync(join(home, '.ssh', 'known_hosts'), `web1.corp.example ${hostPub}\n@revoked * ${hostPub}\n`);
      expect(await forConnection(here)).toEqual([['free', null]]);
    } finally {
      process.env.HOME = savedHome;
    }
  });
});
