/**
 * The server inventory (DESIGN §8): the local stand-in for the cloud's server id. Each entry
 * says where to SSH (host, port, user) and which host key to trust; `id` is the `server.id` of
 * the KPS binding operations. Local only (no route): the cloud has no such list.
 */
import { z } from 'zod';
import { defineOp, out, type ValidationCodes } from './define.js';

const SERVERS_VALIDATION: ValidationCodes = { missing: 'SERVERS.0001', invalid: 'SERVERS.0002' };

const serverId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a server id (a UUID)');
const name = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ . -');
// A host name or an IP literal; nothing that a shell or ssh option parser could misread.
const host = z
  .string()
  .regex(/^[A-Za-z0-9.:_-]{1,253}$/, 'must be a host name or IP address')
  .refine((h) => !h.startsWith('-'), 'must not start with -');
const port = z.number().int().min(1).max(65535);
const user = z.string().regex(/^[a-z_][a-z0-9_.-]{0,31}\$?$/i, 'must be a POSIX user name');
const notes = z.string().max(1024);
const sshdConfig = z.string().regex(/^\/[^\0\n]{0,1023}$/, 'must be an absolute path');
const fingerprint = z
  .string()
  .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'must be a SHA256 fingerprint as ssh-keygen -l prints it (SHA256: and 43 base64 characters)');

export interface ServerInfo {
  id: string;
  name: string;
  host: string;
  port: number;
  user: string;
  /** `SHA256:…` as ssh-keygen prints it; null until `servers pin-host-key`. */
  host_key_fingerprint: string | null;
  /** The pinned key's type (ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa …); null until pinned. */
  host_key_type: string | null;
  /** The sshd configuration binding edits when it disables password login. */
  sshd_config: string;
  notes: string;
  created: string;
}

/** What a server presents now, beside what is pinned: the user compares before pinning. */
export interface HostKeyScan {
  server_id: string;
  host: string;
  port: number;
  /** `SHA256:…` of the key the server presented to this read. */
  host_key_fingerprint: string;
  host_key_type: string;
  pinned_fingerprint: string | null;
  pinned_type: string | null;
  /** `not-pinned` (first use), `matches` the pinned key, or `changed` from it. */
  status: 'not-pinned' | 'matches' | 'changed';
}

export const serversOperations = {
  serversAdd: defineOp({
    service: 'servers',
    name: 'add',
    summary: 'Register a server Keyhold may bind key pairs into over SSH; pin its host key next.',
    input: z.object({
      name,
      host,
      port: port.default(22),
      user,
      notes: notes.default(''),
      sshd_config: sshdConfig.default('/etc/ssh/sshd_config').describe('the sshd configuration file on the server (for disable_password)'),
    }),
    output: out<{ server: ServerInfo }>(),
    mutates: true,
    audit: { record: ['name', 'host', 'port', 'user'] },
    validation: SERVERS_VALIDATION,
  }),
  serversList: defineOp({
    service: 'servers',
    name: 'list',
    summary: 'List the registered servers.',
    input: z.object({}),
    output: out<{ servers: ServerInfo[] }>(),
    mutates: false,
    audit: {},
    validation: SERVERS_VALIDATION,
  }),
  serversShow: defineOp({
    service: 'servers',
    name: 'show',
    summary: 'Show one registered server.',
    input: z.object({ id: serverId }),
    output: out<{ server: ServerInfo }>(),
    mutates: false,
    audit: { keyIdField: 'id' },
    validation: SERVERS_VALIDATION,
  }),
  serversUpdate: defineOp({
    service: 'servers',
    name: 'update',
    summary: 'Change a server; a new host or port clears the pinned host key (pin it again).',
    input: z.object({
      id: serverId,
      name: name.optional(),
      host: host.optional(),
      port: port.optional(),
      user: user.optional(),
      notes: notes.optional(),
      sshd_config: sshdConfig.optional(),
    }),
    output: out<{ server: ServerInfo }>(),
    mutates: true,
    audit: { keyIdField: 'id', record: ['name', 'host', 'port', 'user'] },
    validation: SERVERS_VALIDATION,
  }),
  serversRemove: defineOp({
    service: 'servers',
    name: 'remove',
    summary: 'Forget a server (what is bound on it stays there; unbind first to remove it).',
    input: z.object({ id: serverId }),
    output: out<{ server: ServerInfo }>(),
    mutates: true,
    audit: { keyIdField: 'id' },
    validation: SERVERS_VALIDATION,
  }),
  serversScanHostKey: defineOp({
    service: 'servers',
    name: 'scan-host-key',
    summary:
      "Read the host key the server presents now (SHA256 fingerprint and type) and compare it with the pinned one; pins nothing. Check it against `ssh-keygen -lf` of the server's key, then pin-host-key --fingerprint.",
    input: z.object({ id: serverId }),
    output: out<{ scan: HostKeyScan }>(),
    mutates: false,
    audit: { keyIdField: 'id' },
    validation: SERVERS_VALIDATION,
  }),
  serversPinHostKey: defineOp({
    service: 'servers',
    name: 'pin-host-key',
    summary:
      'Connect, read the host key and pin its SHA256 fingerprint; with --fingerprint only the key you checked is pinned; a key that differs from the pinned one needs --accept-new.',
    input: z.object({
      id: serverId,
      accept_new: z.boolean().default(false),
      fingerprint: fingerprint.optional().describe('the fingerprint you checked (scan-host-key): pinned only if the server still presents exactly this key'),
    }),
    output: out<{ server: ServerInfo }>(),
    mutates: true,
    audit: { keyIdField: 'id', record: ['accept_new', 'fingerprint'] },
    validation: SERVERS_VALIDATION,
  }),
} as const;
