import { describe, expect, it } from 'vitest';
import { Fail, scripted } from '../testing/fake-transport.js';
import { hostKeyFile, ServersManager, taskWords } from './servers.svelte.js';

const scan = (status: 'not-pinned' | 'matches' | 'changed') => ({
  server_id: 's',
  host: '127.0.0.1',
  port: 22,
  host_key_fingerprint: 'SHA256:new',
  host_key_type: 'ssh-ed25519',
  pinned_fingerprint: status === 'not-pinned' ? null : status === 'matches' ? 'SHA256:new' : 'SHA256:old',
  pinned_type: status === 'not-pinned' ? null : 'ssh-ed25519',
  status,
});
const noTasks = { listRunningTask: () => ({ total: 0, tasks: [] }), listFailedTask: () => ({ total: 0, tasks: [] }), serversList: () => ({ servers: [] }) };

describe('ServersManager: host keys', () => {
  it('shows the presented key first and pins exactly that fingerprint on confirmation', async () => {
    const { client, calls } = scripted({ ...noTasks, serversScanHostKey: () => ({ scan: scan('not-pinned') }), serversPinHostKey: () => ({ server: {} }) });
    const m = new ServersManager(client, async () => undefined);
    await m.checkHostKey('s');
    expect(calls.map((c) => c.op)).toEqual(['serversScanHostKey']);
    expect(m.scan?.host_key_fingerprint).toBe('SHA256:new');
    await m.pinChecked();
    expect(calls[1]).toEqual({ op: 'serversPinHostKey', input: { id: 's', fingerprint: 'SHA256:new', accept_new: false } });
    expect(m.scan).toBeNull();
  });

  it('accepts a new key only from a scan that found it changed, and pins nothing when it matches', async () => {
    const { client, calls } = scripted({ ...noTasks, serversScanHostKey: () => ({ scan: scan('changed') }), serversPinHostKey: () => ({ server: {} }) });
    const m = new ServersManager(client, async () => undefined);
    await m.checkHostKey('s');
    await m.pinChecked();
    expect(calls[1]?.input).toEqual({ id: 's', fingerprint: 'SHA256:new', accept_new: true });

    const same = scripted({ serversScanHostKey: () => ({ scan: scan('matches') }) });
    const n = new ServersManager(same.client, async () => undefined);
    await n.checkHostKey('s');
    await n.pinChecked();
    expect(same.calls.map((c) => c.op)).toEqual(['serversScanHostKey']);
  });

  it('keeps the scan and shows the refusal when the server presents another key at pin time', async () => {
    const { client } = scripted({
      serversScanHostKey: () => ({ scan: scan('not-pinned') }),
      serversPinHostKey: () => new Fail('SERVERS.0008', '127.0.0.1:22 now presents SHA256:other, not the SHA256:new you checked; nothing was pinned.'),
    });
    const m = new ServersManager(client, async () => undefined);
    await m.checkHostKey('s');
    await m.pinChecked();
    expect(m.op.error).toMatch(/nothing was pinned/);
    expect(m.scan).not.toBeNull();
  });

  it('names the host key file to compare with on the server', () => {
    expect(hostKeyFile('ssh-ed25519')).toBe('/etc/ssh/ssh_host_ed25519_key.pub');
    expect(hostKeyFile('ecdsa-sha2-nistp256')).toBe('/etc/ssh/ssh_host_ecdsa_key.pub');
    expect(hostKeyFile('ssh-rsa')).toBe('/etc/ssh/ssh_host_rsa_key.pub');
  });
});

describe('ServersManager: binding', () => {
  it('binds with a hosted key pair by name, follows the task until it ends, and lists the tasks', async () => {
    const statuses: ('RUNNING_REPLACE' | 'SUCCESS_REPLACE')[] = ['RUNNING_REPLACE', 'RUNNING_REPLACE', 'SUCCESS_REPLACE'];
    const { client, calls } = scripted({
      ...noTasks,
      associateKeypair: () => ({ task_id: 't-1' }),
      listKeypairTask: () => ({ server_id: 's', task_id: 't-1', task_status: statuses.shift() ?? 'SUCCESS_REPLACE' }),
    });
    const slept: number[] = [];
    const m = new ServersManager(client, async (ms) => void slept.push(ms));
    await m.bind({ serverIds: ['s'], keypairName: 'web', login: 'hosted', secret: 'ignored', loginKeypair: 'old', passphrase: '', disablePassword: true });
    expect(calls[0]).toEqual({
      op: 'associateKeypair',
      input: { keypair_name: 'web', server: { id: 's', auth: { type: 'keypair', keypair_name: 'old' }, disable_password: true } },
    });
    expect(JSON.stringify(calls)).not.toContain('ignored');
    expect(m.tasks).toEqual([{ id: 't-1', serverId: 's', status: 'SUCCESS_REPLACE', errorCode: undefined, errorMsg: undefined }]);
    expect(slept).toEqual([1000, 1000]);
    expect(calls.slice(-2).map((c) => c.op)).toEqual(['listRunningTask', 'listFailedTask']);
  });

  it('binds several servers in one batch; an entry refused by its checks shows its reason', async () => {
    const { client, calls } = scripted({
      ...noTasks,
      batchAssociateKeypair: () => ({
        tasks: [
          { task_id: 't-1', server_id: 'a', status: 'SUCCESS' },
          { server_id: 'b', status: 'FAILED', error_code: 'KPS.8002', error_msg: 'host key not pinned' },
        ],
      }),
      listKeypairTask: () => ({
        server_id: 'a',
        task_id: 't-1',
        task_status: 'FAILED_RESET',
        task_error_code: 'KPS.8103',
        task_error_msg: 'Authentication failed',
      }),
    });
    const m = new ServersManager(client, async () => undefined);
    await m.bind({ serverIds: ['a', 'b'], keypairName: 'web', login: 'password', secret: 'pw', loginKeypair: '', passphrase: '', disablePassword: false });
    expect(calls[0]?.op).toBe('batchAssociateKeypair');
    expect((calls[0]?.input as { batch_keypairs: unknown[] }).batch_keypairs).toHaveLength(2);
    expect(m.tasks.map((t) => [t.serverId, t.status, t.errorCode])).toEqual([
      ['a', 'FAILED_RESET', 'KPS.8103'],
      ['b', 'FAILED', 'KPS.8002'],
    ]);
  });

  it('sends a pasted key with its passphrase; several servers then bind one by one (the batch takes no passphrase)', async () => {
    let n = 0;
    const { client, calls } = scripted({
      ...noTasks,
      associateKeypair: () => ({ task_id: `t-${++n}` }),
      listKeypairTask: (i) => ({ server_id: 's', task_id: String(i.task_id), task_status: 'SUCCESS_REPLACE' }),
    });
    const m = new ServersManager(client, async () => undefined);
    await m.bind({ serverIds: ['a', 'b'], keypairName: 'web', login: 'pasted', secret: 'KEY', loginKeypair: '', passphrase: 'pp', disablePassword: false });
    const binds = calls.filter((c) => c.op === 'associateKeypair').map((c) => c.input);
    expect(binds).toEqual(
      ['a', 'b'].map((id) => ({ keypair_name: 'web', server: { id, auth: { type: 'keypair', key: 'KEY', passphrase: 'pp' }, disable_password: false } })),
    );
    expect(calls.some((c) => c.op === 'batchAssociateKeypair')).toBe(false);
    expect(m.tasks.map((t) => t.status)).toEqual(['SUCCESS_REPLACE', 'SUCCESS_REPLACE']);
  });

  it('says task states in words', () => {
    expect(taskWords('FAILED_REPLACE')).toBe('Binding failed');
    expect(taskWords('SUCCESS_RESET')).toBe('Bound (logged in with the password)');
    expect(taskWords('RUNNING_UNBIND')).toBe('Unbinding…');
    expect(taskWords('SUCCESS_UNBIND')).toBe('Unbound');
    expect(taskWords('RUNNING')).toBe('Running…');
  });

  it('sends only the changed fields of a server', async () => {
    const server = {
      id: 's',
      name: 'web1',
      host: 'h',
      port: 22,
      user: 'u',
      notes: '',
      sshd_config: '/etc/ssh/sshd_config',
      host_key_fingerprint: null,
      host_key_type: null,
      created: '',
    };
    const { client, calls } = scripted({ ...noTasks, serversShow: () => ({ server }), serversUpdate: (i) => ({ server: { ...server, ...i } }) });
    const m = new ServersManager(client, async () => undefined);
    await m.show('s');
    await m.update('s', { name: 'web1', host: 'h', port: 2222, user: 'u', notes: ' rack 4 ', sshd_config: '/etc/ssh/sshd_config' });
    expect(calls[1]).toEqual({ op: 'serversUpdate', input: { id: 's', port: 2222, notes: 'rack 4' } });
  });
});
