/**
 * `ssh-agent` operations: which hosted key pairs `keyhold agent` offers to ssh, and the
 * signature it makes for ssh (draft-miller-ssh-agent). Local only (no cloud route). Which keys
 * are offered is set from the CLI or the app; `sign` is the agent's own step and the CLI's (it
 * reaches neither HTTP nor the app's page, which could otherwise sign for ssh without the
 * agent's checks or its confirmation). The agent transport calls them like any other operation, so every list and
 * every signature is audited with the key pair and its outcome; the signed data never is.
 * docs/agent.md describes the agent.
 */
import { z } from 'zod';
import { defineOp, out, type ValidationCodes } from './define.js';

/** Codes of the agent (docs/agent.md lists them). */
export const AgentErrors = {
  Missing: 'AGENT.0001',
  Invalid: 'AGENT.0002',
  /** The key pair is not offered to ssh, or has no hosted private key. */
  NotOffered: 'AGENT.0101',
  /** An RSA signature with SHA-1 (`ssh-rsa`) was asked for and the key pair does not allow it. */
  Sha1Refused: 'AGENT.0102',
  /** A key type the agent does not sign with (DSA). */
  KeyTypeUnsupported: 'AGENT.0103',
  /** The key pair is bound to host keys, and the server of this connection has none of them. */
  OtherHost: 'AGENT.0104',
  /** The user denied the signature in the desktop app's confirmation, or did not answer in time. */
  NotConfirmed: 'AGENT.0105',
  /** The socket (or its directory) is not owned by this user, or others may reach it. */
  UnsafeSocket: 'AGENT.0201',
  /** Something listens at the socket, but it is not a Keyhold agent. */
  NotAnAgent: 'AGENT.0202',
  /** No agent serves this vault. */
  NotRunning: 'AGENT.0203',
  /** The agent could not be started. */
  StartFailed: 'AGENT.0204',
} as const;

const VALIDATION: ValidationCodes = { missing: AgentErrors.Missing, invalid: AgentErrors.Invalid };
const keypairName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ -');
/** A host key's fingerprint as `ssh-keygen -l` prints it. */
const hostKeyFingerprint = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'must be a SHA256:… host key fingerprint (ssh-keyscan HOST | ssh-keygen -lf -)');

/** One host pattern as ssh_config's `Host` writes it: a name or address, `*` and `?` wildcards, `[host]:port`, `!` to exclude. */
const HOST_PATTERN = '!?[A-Za-z0-9._:*?\\[\\]-]{1,255}';
const hostPattern = z
  .string()
  .regex(new RegExp(`^${HOST_PATTERN}$`), 'must be a host pattern: a name or address with * and ? wildcards, [host]:port, ! to exclude');
/** A comma-separated list of host patterns, as `--hosts 'a.example,*.corp.example,!bastion'` gives it. */
const hostPatternList = z
  .string()
  .max(4096)
  .regex(
    new RegExp(`^(${HOST_PATTERN}(,${HOST_PATTERN}){0,63})?$`),
    'must be comma-separated host patterns (a name or address, * and ? wildcards, [host]:port, ! to exclude), at most 64',
  );

/** The `flags` of SSH_AGENTC_SIGN_REQUEST that pick RSA's hash (draft-miller-ssh-agent §4.5.1). */
export const SSH_AGENT_RSA_SHA2_256 = 2;
export const SSH_AGENT_RSA_SHA2_512 = 4;

export interface SshAgentKey {
  keypair_name: string;
  /** Whether `keyhold agent` offers it to ssh (listed and used for signing). */
  offered: boolean;
  /** Whether an `ssh-rsa` (SHA-1) signature may be made with it; never by default. */
  allow_sha1: boolean;
  /** When not empty: only servers with one of these host keys (SHA256 fingerprints) see and use it. */
  host_keys: string[];
  /** When not empty: only servers known by a name these patterns match see and use it (host_keys too may admit a server). */
  hosts: string[];
  /** In a listing for one connection: the host pattern that admitted its server (absent: unbound, or admitted by its host key). */
  host_pattern?: string;
  /** Whether Keyhold hosts the private key; only hosted key pairs can be offered. */
  hosted: boolean;
  key_type: string;
  fingerprint: string;
  public_key: string;
}

export const sshAgentOperations = {
  sshAgentListKeys: defineOp({
    service: 'ssh-agent',
    name: 'list-keys',
    summary: 'Every key pair with whether `keyhold agent` offers it to ssh, in the order ssh sees them (by name); or only those ssh sees on one connection.',
    input: z.object({
      for_connection: z
        .boolean()
        .default(false)
        .describe('true: only the keys the agent lists to an ssh connection for the server with host_key (without host_key: a connection ssh did not bind)'),
      host_key: hostKeyFingerprint.optional().describe("with for_connection: the server's host key fingerprint"),
    }),
    output: out<{ keys: SshAgentKey[] }>(),
    mutates: false,
    audit: { record: ['for_connection', 'host_key'] },
    validation: VALIDATION,
  }),
  sshAgentSetKey: defineOp({
    service: 'ssh-agent',
    name: 'set-key',
    summary: 'Offer a hosted key pair to ssh through `keyhold agent` (or stop offering it); key pairs are not offered until set.',
    input: z.object({
      keypair_name: keypairName,
      offered: z.boolean().describe('true: list it to ssh and sign with it; false: never'),
      allow_sha1: z.boolean().default(false).describe('RSA only: also sign `ssh-rsa` (SHA-1) requests, for old servers'),
      host_keys: z
        .array(hostKeyFingerprint)
        .max(64)
        .default([])
        .describe('JSON array of server host key fingerprints: only those servers see this key (empty: every server)'),
      hosts: hostPatternList
        .default('')
        .describe(
          'comma-separated host patterns (*.example.com,!bastion.example.com): only servers known by a matching name (pinned in `servers`, or in known_hosts) see this key (empty: every server)',
        ),
    }),
    output: out<{ key: SshAgentKey }>(),
    mutates: true,
    audit: { record: ['keypair_name', 'offered', 'allow_sha1', 'host_keys', 'hosts'] },
    validation: VALIDATION,
  }),
  sshAgentSign: defineOp({
    service: 'ssh-agent',
    name: 'sign',
    summary: 'Sign data for ssh with an offered key pair, as the SSH agent does (the data is never logged).',
    reach: ['cli'],
    input: z.object({
      keypair_name: keypairName,
      data: z
        .base64()
        .max((64 * 1024 * 4) / 3 + 4)
        .describe('base64 of the bytes to sign'),
      flags: z.number().int().min(0).max(0xffffffff).default(0).describe('SSH_AGENTC_SIGN_REQUEST flags: 2 rsa-sha2-256, 4 rsa-sha2-512'),
      host_key: hostKeyFingerprint.optional().describe("the server's host key, as ssh bound it to the connection (session-bind@openssh.com)"),
      host_pattern: hostPattern.optional().describe("the key pair's host pattern that admits this server (required when a pattern is what admits it; audited)"),
      confirmation: z
        .enum(['allowed-once', 'allowed-for-session', 'allowed-earlier-this-session', 'denied', 'timed-out'])
        .optional()
        .describe("the desktop app's confirmation of this signature (audited); denied or timed-out: refused"),
    }),
    output: out<{ signature: string; algorithm: string }>(),
    mutates: false,
    audit: { record: ['keypair_name', 'flags', 'host_key', 'host_pattern', 'confirmation'] },
    validation: VALIDATION,
  }),
} as const;
