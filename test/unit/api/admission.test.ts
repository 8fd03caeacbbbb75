// Which operation may run over which transport, as one table: every operation × every origin.
// The expected table is written out here by operation key, not derived from the declarations,
// so a new operation on local files, or one that loses its cloud route, fails this test until
// someone decides where it may run.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { admission, type Origin, type RefusalReason } from '../../../electron/core/api/admission.js';
import { findOperation, listOperations } from '../../../electron/core/api/index.js';
import { buildRoutes } from '../../../electron/server/routes.js';
import { operations, type OperationDecl } from '../../../shared/operations/index.js';
import { newSession } from '../../helpers/vault.js';

/** Work on files by path: never over HTTP, never to a remote. */
const LOCAL_FILES = ['createKeyStore', 'vaultBackup', 'remoteByok', 'remoteWindowsPassword', 'fileEncrypt', 'fileDecrypt', 'fileSign', 'fileVerify'];
/** The credentials of `keyhold serve`: their reach leaves out remotes (they have no cloud route either). */
const NEVER_TO_REMOTE = ['createAccessKey', 'listAccessKeys', 'updateAccessKey', 'deleteAccessKey'];
/** The SSH agent's signature: the agent's (and the CLI's) alone, never over HTTP or from the app's page. */
const CLI_AND_AGENT_ONLY = ['sshAgentSign'];
/** No cloud twin: nothing to send with --remote. */
const NO_CLOUD_ROUTE = [
  'vaultShow',
  'updateUserQuotas',
  'auditVerify',
  'auditListEvents',
  'vaultVerify',
  'vaultChangePassword',
  'remoteAdd',
  'remoteList',
  'remoteRemove',
  'remoteTest',
  'remoteSync',
  'remoteResolve',
  'remoteListMirroredKeys',
  'serversAdd',
  'serversList',
  'serversShow',
  'serversUpdate',
  'serversRemove',
  'serversPinHostKey',
  'serversScanHostKey',
  'sshAgentListKeys',
  'sshAgentSetKey',
  'sshAgentSign',
  'kpsInspect',
  'kpsConvert',
  'kpsWindowsPassword',
];
/** Fields naming a local file on an otherwise routed operation. */
const FILE_FIELDS: Record<string, string> = { exportPrivateKey: 'out', kpsInspect: 'in', kpsConvert: 'out', kpsWindowsPassword: 'private_key' };

const ORIGINS: Origin[] = ['cli', 'agent', 'system', 'ipc', 'http', 'remote'];

/** The expected refusal for an operation with no file field given. */
function expected(key: string, origin: Origin): RefusalReason | null {
  if (origin === 'ipc' && CLI_AND_AGENT_ONLY.includes(key)) return 'not-offered';
  if (origin === 'cli' || origin === 'agent' || origin === 'system' || origin === 'ipc') return null;
  if (origin === 'remote' && NEVER_TO_REMOTE.includes(key)) return 'not-offered';
  if ((origin === 'http' || origin === 'remote') && CLI_AND_AGENT_ONLY.includes(key)) return 'not-offered';
  if (LOCAL_FILES.includes(key)) return 'local-files';
  if (origin === 'remote' && NO_CLOUD_ROUTE.includes(key)) return 'no-cloud-route';
  return null;
}

describe('admission: every operation × every transport', () => {
  it('names only operations that exist', () => {
    for (const key of [...LOCAL_FILES, ...NEVER_TO_REMOTE, ...CLI_AND_AGENT_ONLY, ...NO_CLOUD_ROUTE, ...Object.keys(FILE_FIELDS)])
      expect(operations).toHaveProperty(key);
  });

  it("admits or refuses each call with the table's reason", () => {
    const got: string[] = [];
    const want: string[] = [];
    for (const [key, decl] of Object.entries(operations)) {
      for (const origin of ORIGINS) {
        got.push(`${key} ${origin} ${admission(decl, {}, origin)?.reason ?? 'admitted'}`);
        want.push(`${key} ${origin} ${expected(key, origin) ?? 'admitted'}`);
      }
    }
    expect(got).toEqual(want);
    expect(got.length).toBe(Object.keys(operations).length * ORIGINS.length);
  });

  it('refuses a field naming a local file over HTTP and to a remote, and only when given', () => {
    for (const [key, field] of Object.entries(FILE_FIELDS)) {
      const decl = operations[key as keyof typeof operations];
      for (const origin of ORIGINS) {
        const remoteOrHttp = origin === 'http' || origin === 'remote';
        // An operation without a cloud twin is refused to a remote before its fields are read.
        const refusal = origin === 'remote' && NO_CLOUD_ROUTE.includes(key) ? { reason: 'no-cloud-route' } : { reason: 'local-file-field', field };
        expect(admission(decl, { [field]: '/tmp/x' }, origin), `${key} ${origin}`).toEqual(remoteOrHttp ? expect.objectContaining(refusal) : null);
        expect(admission(decl, { [field]: undefined }, origin)?.reason ?? null).toBe(expected(key, origin));
      }
    }
  });

  it('lets a local-files operation run over HTTP only when the server named every file (web mode uploads), never to a remote nor past reach', () => {
    for (const key of LOCAL_FILES) {
      const decl = operations[key as keyof typeof operations];
      expect(admission(decl, {}, 'http', true), key).toBeNull();
      expect(admission(decl, {}, 'remote', true)?.reason, key).toBe('local-files');
    }
    // A declaration's reach still bounds it (none of today's operations narrows its reach).
    const narrowed: OperationDecl = { ...(operations.fileEncrypt as OperationDecl), reach: ['cli', 'ipc'] };
    expect(admission(narrowed, {}, 'http', true)?.reason).toBe('not-offered');
  });

  it('routes over HTTP only operations admitted there', () => {
    const routed = [...buildRoutes().values()].flat().map((r) => r.op.key);
    const want = listOperations()
      .filter((op) => op.decl.route && expected(op.key, 'http') === null)
      .map((op) => op.key);
    expect(routed.sort()).toEqual(want.sort());
  });
});

describe('admission inside the session (every transport passes through it)', () => {
  it('Session.run refuses over HTTP what no HTTP transport offers: no backup written, no private key exported', async () => {
    const { session, dir } = await newSession();
    const out = join(dir, 'backup.db');
    await expect(session.run(findOperation('vault', 'backup')!, { out }, 'http')).rejects.toMatchObject({
      code: 'KEYHOLD.0001',
      status: 403,
      refusal: { reason: 'local-files' },
    });
    expect(existsSync(out)).toBe(false);
    await expect(session.run(findOperation('kps', 'export-private-key')!, { keypair: { name: 'k' }, out: join(dir, 'k.pem') }, 'http')).rejects.toMatchObject({
      code: 'KPS.0002',
      status: 400,
      refusal: { reason: 'local-file-field' },
    });
    session.close();
  });

  it('a remote call is admitted before the remote is even looked up', async () => {
    const { session } = await newSession();
    await expect(session.callRemote('nowhere', 'vault', 'verify', {}, 'cli')).rejects.toMatchObject({
      code: 'KEYHOLD.0001',
      status: 400,
      refusal: { reason: 'no-cloud-route' },
    });
    await expect(session.callRemote('nowhere', 'file', 'verify', { in: 'a', signature: 'b' }, 'cli')).rejects.toMatchObject({
      status: 400,
      refusal: { reason: 'local-files' },
    });
    session.close();
  });
});
