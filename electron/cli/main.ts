/**
 * The `keyhold` command line: a thin adapter over the operation registry (DESIGN §8). JSON on
 * stdout; the cloud-shaped error on stderr; exit 2 for the caller's mistakes, 1 otherwise.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { KeyholdError, LocalErrors } from '../../shared/errors.js';
import { defaultVaultPath, findOperation, listOperations, OsKeychain, restoreVault, Session, type Credentials, type Keychain } from '../core/api/index.js';
import { parseArgs, type ParsedCommand } from './args.js';
import { buildInput, describeFields } from './input.js';
import { canPrompt, explicitPassword, promptHidden, promptNewPassword } from './password.js';
import { formatOutput } from './output.js';
import { fileJobHooks } from './progress.js';
import { parseServeFlags, serve } from './serve.js';
import { serveUi } from './serve-ui.js';

const USAGE = `Keyhold: local KMS, secrets and SSH key pairs, compatible with Huawei Cloud DEW.

Usage:
  keyhold [--vault PATH] [--password-stdin] [--output json|text] <service> <operation> [--field-name value …] [--input-json JSON|@file]
  keyhold init [--kdf-target-ms 500]      create a vault (password from --password-stdin, KEYHOLD_PASSWORD or a prompt)
  keyhold ops                             every operation with its fields, as JSON
  keyhold <service> <operation> --help    one operation's fields
  keyhold vault restore --in FILE         replace the vault with a verified backup
  keyhold vault remember | forget         let this device unlock without the password (OS keychain)
  keyhold serve [--host 127.0.0.1] [--port 0] [--tls-cert F --tls-key F]
                                          the same operations over HTTP at the cloud's routes (AK/SK-signed)
  keyhold serve --ui [--host 127.0.0.1] [--port 0]
                                          web mode: the desktop UI in a browser, unlocked with the master password

Vault: --vault, else $KEYHOLD_VAULT, else ${defaultVaultPath()}.
Any field can be read from a file with --<field>-file PATH (passwords, keys).
`;

function out(value: unknown, format: 'json' | 'text'): void {
  process.stdout.write(formatOutput(value, format));
}

function vaultPath(cmd: ParsedCommand): string {
  return resolve(cmd.globals.vault ?? process.env.KEYHOLD_VAULT ?? defaultVaultPath());
}

function flagValue(cmd: ParsedCommand, name: string): string | undefined {
  const v = cmd.flags.get(name);
  if (v === true) throw new KeyholdError(LocalErrors.BadArgument, `Option --${name} needs a value.`, 400);
  return v;
}

function refuseFlags(cmd: ParsedCommand, allowed: string[]): void {
  for (const f of cmd.flags.keys()) {
    if (!allowed.includes(f)) throw new KeyholdError(LocalErrors.BadArgument, `Unknown option --${f} for ${cmd.words.join(' ')}.`, 400);
  }
}

async function credentials(cmd: ParsedCommand, keychain: Keychain): Promise<(vaultId: string) => Promise<Credentials>> {
  const explicit = await explicitPassword(cmd.globals.passwordStdin);
  return async (vaultId) => {
    if (explicit !== undefined) return { password: explicit };
    const remembered = keychain.get(vaultId);
    if (remembered) return { deviceSecret: Buffer.from(remembered, 'base64') };
    if (canPrompt()) return { password: await promptHidden('Master password: ') };
    throw new KeyholdError(LocalErrors.PasswordRequired, 'The vault is locked: give the password with --password-stdin or KEYHOLD_PASSWORD.', 400);
  };
}

async function init(cmd: ParsedCommand): Promise<unknown> {
  refuseFlags(cmd, ['kdf-target-ms']);
  const target = flagValue(cmd, 'kdf-target-ms');
  const kdfTargetMs = target === undefined ? undefined : Number(target);
  if (kdfTargetMs !== undefined && !(Number.isInteger(kdfTargetMs) && kdfTargetMs >= 1 && kdfTargetMs <= 60_000)) {
    throw new KeyholdError(LocalErrors.BadArgument, 'Option --kdf-target-ms must be an integer from 1 to 60000.', 400);
  }
  const path = vaultPath(cmd);
  const password = (await explicitPassword(cmd.globals.passwordStdin)) ?? (await promptNewPassword('master password'));
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const session = await Session.create(path, password, { kdfTargetMs });
  const { alg, m, t, p } = session.vault.kdf;
  session.close();
  return { vault: path, kdf: { alg, m, t, p } };
}

async function run(argv: string[]): Promise<void> {
  const cmd = parseArgs(argv);
  const [service, name, ...extra] = cmd.words;
  const format = cmd.globals.output;
  if (!service || (cmd.globals.help && !name)) {
    process.stdout.write(USAGE);
    return;
  }
  if (extra.length) throw new KeyholdError(LocalErrors.BadArgument, `Unexpected argument ${extra[0]}.`, 400);
  if (service === 'ops') {
    out(listOperations().map(({ decl }) => ({ service: decl.service, operation: decl.name, aliases: decl.aliases ?? [], summary: decl.summary, route: decl.route ?? null, mutates: decl.mutates, fields: describeFields(decl) })), format);
    return;
  }
  if (service === 'init') return out(await init(cmd), format);
  if (service === 'serve' && cmd.flags.get('ui') === true) {
    cmd.flags.delete('ui');
    return serveUi(vaultPath(cmd), parseServeFlags(cmd.flags));
  }
  if (service === 'serve') {
    const opts = parseServeFlags(cmd.flags);
    const session = await Session.open(vaultPath(cmd), await credentials(cmd, new OsKeychain()));
    try {
      return await serve(session, opts);
    } finally {
      await session.settle();
      session.close();
    }
  }
  const keychain = new OsKeychain();
  if (service === 'vault' && name === 'restore') {
    refuseFlags(cmd, ['in']);
    const from = flagValue(cmd, 'in');
    if (!from) throw new KeyholdError(LocalErrors.BadArgument, 'Missing parameter: --in (the backup file) is required.', 400);
    const password = (await explicitPassword(cmd.globals.passwordStdin)) ?? (canPrompt() ? await promptHidden('Password of the backup: ') : undefined);
    if (password === undefined) throw new KeyholdError(LocalErrors.PasswordRequired, 'Give the backup\'s password with --password-stdin or KEYHOLD_PASSWORD.', 400);
    return out(await restoreVault(resolve(from), vaultPath(cmd), password), format);
  }
  const op = service === 'vault' && (name === 'remember' || name === 'forget') ? undefined : findOperation(service, name ?? '');
  if (!op && !(service === 'vault' && (name === 'remember' || name === 'forget'))) {
    throw new KeyholdError(LocalErrors.UnknownOperation, `Unknown operation: ${service} ${name ?? ''}. Run \`keyhold ops\` for the list.`, 400);
  }
  if (op && cmd.globals.help) {
    out({ service: op.decl.service, operation: op.decl.name, aliases: op.decl.aliases ?? [], summary: op.decl.summary, route: op.decl.route ?? null, fields: describeFields(op.decl) }, format);
    return;
  }
  const input = op ? buildInput(op.decl, cmd.flags, cmd.inputJson) : (refuseFlags(cmd, []), {});
  if (op?.decl.service === 'vault' && op.decl.name === 'change-password' && input.new_password === undefined) {
    input.new_password = await promptNewPassword('master password');
  }
  const session = await Session.open(vaultPath(cmd), await credentials(cmd, keychain));
  try {
    if (!op) {
      if (name === 'remember') await session.rememberDevice(keychain);
      else await session.forgetDevice(keychain);
      return out({ remembered: name === 'remember' }, format);
    }
    if (cmd.globals.remote) return out(await session.callRemote(cmd.globals.remote, op.decl.service, op.decl.name, input, 'cli'), format);
    const job = op.decl.localFiles ? fileJobHooks() : undefined;
    let result: unknown;
    try {
      result = await session.run(op, input, 'cli', null, job?.hooks);
    } finally {
      job?.finish();
    }
    out(result, format);
    // `file verify` reports a bad signature as a result, not an error (DESIGN §8): exit 1.
    if ((result as { signature_valid?: unknown } | null)?.signature_valid === false) process.exitCode = 1;
    // `remote sync` that leaves anything unsynced (a conflict, a failure, an untried secret) says
    // `complete: false` and exits 1 (docs/sync.md).
    if ((result as { complete?: unknown } | null)?.complete === false) process.exitCode = 1;
  } finally {
    // Background tasks (KPS bindings) finish, and record their outcome, before the vault closes.
    await session.settle();
    session.close();
  }
}

function fail(e: unknown): number {
  const err = e instanceof KeyholdError ? e : new KeyholdError(LocalErrors.Internal, 'Internal error.', 500);
  process.stderr.write(`${JSON.stringify(err.toWire())}\n`);
  if (process.env.KEYHOLD_DEBUG === '1' && e instanceof Error) process.stderr.write(`${e.stack ?? ''}\n`);
  return err.isClientError ? 2 : 1;
}

// `npm run keyhold` runs in the project root; relative paths (--in, --out, --vault) mean the
// directory the user typed the command in, which npm passes as INIT_CWD.
if (process.env.npm_lifecycle_event === 'keyhold' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

try {
  await run(process.argv.slice(2));
} catch (e) {
  process.exitCode = fail(e);
}
