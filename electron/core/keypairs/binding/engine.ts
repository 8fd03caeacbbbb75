/**
 * The binding engine: bind (fresh, replace, reset), unbind and disable password login over SSH,
 * built so that no step can lock the user out:
 *
 * - every connection checks the pinned host key;
 * - authorized_keys changes only in Keyhold's tagged lines, atomically, after a backup;
 * - an old key is removed, or password login disabled, only after a fresh login with the new
 *   key has succeeded, and the final state is proven by another fresh login;
 * - sshd_config is validated with `sshd -t` and `sshd -T` before sshd is reloaded;
 * - the control connection stays open throughout (a reload does not end it), so any failure
 *   is rolled back through it, or through a new login when the connection was lost.
 *
 * It knows nothing of vault records: it takes a server, a credential, a public key line and the
 * private key that proves the new key works.
 */
import { posix } from 'node:path';
import { connectPinned, SshFailure, type PinnedEndpoint, type SshAuth } from '../../servers/ssh.js';
import { keyholdLine, keyholdLines, TAG, withLine, withoutKeyholdLines, authorisesBlob } from './authorized-keys.js';
import { TaskFailure, TaskFailures } from './errors.js';
import { Remote, type FileStat, type Hooks } from './remote.js';
import { shQuote as quote } from './posix-sh.js';
import { authorizedKeysPath, effectiveSettings, hasPasswordBlock, withoutPasswordBlock, withPasswordBlock } from './sshd-config.js';

export interface BindTarget extends PinnedEndpoint {
  sshd_config: string;
}

export interface BindPlan {
  server: BindTarget;
  /** The credential that logs in now (a password, or the private key currently authorised). */
  auth: SshAuth;
  keypairName: string;
  /** The key pair's OpenSSH public line. */
  publicKey: string;
  /** The key pair's private key (OpenSSH text), for the proof logins; null when unavailable. */
  proofKey: string | null;
  disablePassword: boolean;
}

export interface UnbindPlan {
  server: BindTarget;
  /** The credential that must still log in after unbinding (proven at the end). */
  auth: SshAuth;
  /** The base64 blob of auth's key when it is a key: it must not be one being removed. */
  authBlob: string | null;
  /** The bound key pair's private key: logs in when password login is off and auth is a password. */
  controlKey: string | null;
}

const SSHD = '/usr/sbin/sshd';
const BACKUP_SUFFIX = '.keyhold-backup';
/** How long a proof login keeps trying while sshd re-executes after a reload (or a brief refusal). */
const RELOAD_SETTLE_MS = 5_000;
const RELOAD_RETRY_MS = 250;

function asTaskFailure(e: unknown): unknown {
  if (!(e instanceof SshFailure)) return e;
  const code = {
    refused: TaskFailures.ConnectionRefused,
    unreachable: TaskFailures.Unreachable,
    auth: TaskFailures.AuthenticationFailed,
    'host-key': TaskFailures.HostKeyChanged,
    lost: TaskFailures.ConnectionLost,
  }[e.kind];
  return new TaskFailure(code, e.message);
}

async function login(server: BindTarget, auth: SshAuth, hooks: Hooks = {}): Promise<Remote> {
  try {
    return await Remote.open(await connectPinned(server, auth, undefined, hooks.signal), hooks);
  } catch (e) {
    throw asTaskFailure(e);
  }
}

/**
 * A fresh login with `auth`, closed at once: the proof that it works now. Right after a reload
 * the old sshd may still answer for a moment (with the old settings) or refuse while it
 * re-executes, so then any failure is retried until a short deadline.
 */
async function proveLogin(
  server: BindTarget,
  auth: SshAuth,
  what: string,
  refused: TaskFailure['code'] = TaskFailures.NewKeyRejected,
  afterReload = false,
): Promise<void> {
  const deadline = Date.now() + RELOAD_SETTLE_MS;
  for (;;) {
    try {
      (await connectPinned(server, auth)).end();
      return;
    } catch (e) {
      const retry = e instanceof SshFailure && (e.kind === 'refused' || (afterReload && e.kind !== 'host-key'));
      if (retry && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, RELOAD_RETRY_MS));
        continue;
      }
      if (e instanceof SshFailure && e.kind === 'auth') throw new TaskFailure(refused, `${what} was refused by ${server.host}:${server.port}`);
      throw asTaskFailure(e);
    }
  }
}

/**
 * Waits until the password no longer logs in: the proof that the reloaded sshd (not the old
 * process still finishing its loop) runs the new settings. A password that keeps working is a
 * failure, and the change is rolled back.
 */
async function awaitPasswordRefused(server: BindTarget, password: string): Promise<void> {
  const deadline = Date.now() + RELOAD_SETTLE_MS;
  for (;;) {
    try {
      (await connectPinned(server, { type: 'password', password })).end();
    } catch (e) {
      if (e instanceof SshFailure && e.kind === 'auth') return;
    }
    if (Date.now() >= deadline) throw new TaskFailure(TaskFailures.SshdConfigInvalid, 'password login still works after the reload');
    await new Promise((r) => setTimeout(r, RELOAD_RETRY_MS));
  }
}

interface KeysFile {
  /** The file sshd reads: AuthorizedKeysFile with every symbolic link followed (written through, never replaced). */
  path: string;
  existed: boolean;
  /** ~/.ssh (or the configured file's directory) was created by this operation. */
  dirCreated: boolean;
  original: Buffer;
  mode: number;
  /** The owner the file had, kept by every write; absent for a file this operation creates. */
  owner?: { uid: number; gid: number };
}

function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8)}`;
}

/** The checks sshd's StrictModes makes, so a binding it would ignore fails with the reason. */
function checkStrict(path: string, st: FileStat, ownerUid: number): void {
  if (st.mode & 0o022) throw new TaskFailure(TaskFailures.WrongPermissions, `${path} is mode ${octal(st.mode)} (group or world writable)`);
  if (st.uid !== ownerUid && st.uid !== 0)
    throw new TaskFailure(TaskFailures.WrongPermissions, `${path} is owned by uid ${st.uid}, not the user (uid ${ownerUid}) or root`);
}

/**
 * StrictModes on every directory from `dir` up to the home directory, or up to `/` for a file
 * outside it (sshd's secure_path), judged on real paths: a link's own mode means nothing.
 * Returns `dir`'s own metadata.
 */
async function checkDirectoriesUp(r: Remote, dir: string, home: string, uid: number): Promise<FileStat> {
  let first: FileStat | undefined;
  for (let d = dir; ; d = posix.dirname(d)) {
    const st = await r.stat(d);
    if (!st) throw new TaskFailure(TaskFailures.RemoteFileError, `${d} does not exist`);
    checkStrict(d, st, uid);
    first ??= st;
    if (d === home || d === '/') return first;
  }
}

/**
 * A non-root login user writes the file through a temp file beside it, so needs to own both the
 * file and its directory (group or world write is refused by StrictModes already). A layout
 * where root (or another user) owns them — AuthorizedKeysFile /srv/keys/%u — is valid for
 * sshd; refuse it with that cause rather than a misleading "permission denied".
 */
function checkWritable(user: string, uid: number, path: string, st: FileStat | undefined, dir: string, dirSt: FileStat): void {
  if (uid === 0) return;
  const other = st && st.uid !== uid ? { what: path, st } : dirSt.uid !== uid ? { what: dir, st: dirSt } : undefined;
  if (!other) return;
  const owner = other.st.uid === 0 ? 'root' : `uid ${other.st.uid}`;
  throw new TaskFailure(
    TaskFailures.NotWritableByUser,
    `${other.what} is owned by ${owner} (mode ${octal(other.st.mode)}) and ${user} (uid ${uid}) cannot ${other.what === path ? 'replace it' : `create files in it to replace ${path} atomically`}; register the server with user root, or have its owner add the key`,
  );
}

/**
 * Finds authorized_keys (AuthorizedKeysFile where sshd_config is readable) as sshd sees it —
 * symbolic links followed, StrictModes applied to the file and each directory above it — checks
 * that the login user can write it, and reads it.
 */
async function openKeysFile(r: Remote, server: BindTarget, create: boolean): Promise<KeysFile> {
  const home = await r.home();
  const homeStat = await r.stat(home);
  if (!homeStat) throw new TaskFailure(TaskFailures.RemoteFileError, `the home directory ${home} does not exist`);
  const config = await r.readIfReadable(server.sshd_config);
  const configured = authorizedKeysPath(config?.toString('utf8'), server.user, home);
  if (!configured) throw new TaskFailure(TaskFailures.RemoteFileError, 'sshd_config sets AuthorizedKeysFile none: this server reads no key files');
  // sshd insists the home is the user's own: its owner is the login user's uid.
  const uid = homeStat.uid;
  checkStrict(home, homeStat, uid);
  const missing = (path: string, dirCreated: boolean): KeysFile => ({ path, existed: false, dirCreated, original: Buffer.alloc(0), mode: 0o600 });
  const configuredDir = posix.dirname(configured);
  let dirCreated = false;
  if (!(await r.stat(configuredDir))) {
    if (!create) return missing(configured, false);
    const parent = posix.dirname(configuredDir);
    const parentSt = await r.stat(parent);
    if (parentSt) checkWritable(server.user, uid, configured, undefined, parent, parentSt);
    await r.mkdir(configuredDir, 0o700);
    dirCreated = true;
  }
  const linkSt = await r.stat(configured);
  const path = linkSt?.kind === 'link' ? await r.realpath(configured) : posix.join(await r.realpath(configuredDir), posix.basename(configured));
  const dir = posix.dirname(path);
  const dirSt = await checkDirectoriesUp(r, dir, home, uid);
  const st = await r.stat(path);
  if (st && st.kind !== 'file') throw new TaskFailure(TaskFailures.RemoteFileError, `${path} is not a regular file`);
  if (st) checkStrict(path, st, uid);
  checkWritable(server.user, uid, path, st, dir, dirSt);
  await r.removeStaleTemps(path);
  if (!st) return missing(path, dirCreated);
  if (!(st.mode & 0o200)) throw new TaskFailure(TaskFailures.ReadOnly, `${path} is mode ${octal(st.mode)}`);
  return { path, existed: true, dirCreated, original: await r.read(path), mode: st.mode & 0o7777, owner: { uid: st.uid, gid: st.gid } };
}

async function writeKeys(r: Remote, kf: KeysFile, content: Buffer): Promise<void> {
  await r.writeAtomic(kf.path, content, kf.mode, kf.owner);
}

/** Puts authorized_keys back as it was, unless it already is. */
async function restoreKeys(r: Remote, kf: KeysFile): Promise<void> {
  const now = await r.readIfReadable(kf.path);
  if (kf.existed) {
    if (!now?.equals(kf.original)) await r.writeAtomic(kf.path, kf.original, kf.mode, kf.owner);
    return;
  }
  if (now !== undefined) await r.unlink(kf.path);
  // Only an empty directory can go; one that gained other files stays (rmdir refuses it).
  if (kf.dirCreated)
    await r.rmdir(posix.dirname(kf.path)).catch((e: unknown) => {
      if (e instanceof TaskFailure && e.code === TaskFailures.ConnectionLost) throw e;
    });
}

/** Runs `undo` through `ctl`, or through a new login when `ctl` died; reports what could not be undone. */
async function rollback(ctl: Remote, server: BindTarget, auth: SshAuth, undo: (r: Remote) => Promise<void>, cause: unknown): Promise<unknown> {
  try {
    await undo(ctl);
  } catch {
    let again: Remote | undefined;
    try {
      again = await login(server, auth);
      await undo(again);
    } catch (e2) {
      const why = e2 instanceof Error ? e2.message : 'unknown error';
      const first = cause instanceof TaskFailure ? cause : new TaskFailure(TaskFailures.ConnectionLost, '');
      return new TaskFailure(
        first.code,
        `${stripCause(first)}; the rollback also failed (${why}): check ${server.host} by hand, Keyhold's backups end in ${BACKUP_SUFFIX}`,
      );
    } finally {
      again?.close();
    }
  }
  return cause;
}

function stripCause(e: TaskFailure): string {
  const i = e.message.indexOf(': ');
  return i < 0 ? e.message : e.message.slice(i + 2);
}

/** Whether the login user is root: changing sshd_config and signalling sshd need it. */
async function requireRoot(r: Remote, server: BindTarget): Promise<void> {
  const id = await r.exec('id -u');
  if (id.code !== 0 || id.stdout.trim() !== '0') throw new TaskFailure(TaskFailures.NeedsRoot, `${server.user} on ${server.host} is not root`);
}

/** Validates the config as sshd will read it; returns its pid file for the reload. */
async function validateConfig(r: Remote, server: BindTarget, expectPassword: 'yes' | 'no' | null): Promise<string> {
  const cfg = quote(server.sshd_config);
  const t = await r.exec(`${SSHD} -t -f ${cfg}`);
  if (t.code !== 0) throw new TaskFailure(TaskFailures.SshdConfigInvalid, (t.stderr.trim().split('\n')[0] ?? '').slice(0, 300));
  const dump = await r.exec(`${SSHD} -T -f ${cfg} -C user=${server.user},host=${server.host},addr=127.0.0.1`);
  const settings = effectiveSettings(dump.stdout);
  if (dump.code !== 0) throw new TaskFailure(TaskFailures.SshdConfigInvalid, (dump.stderr.trim().split('\n')[0] ?? '').slice(0, 300));
  if (expectPassword && settings.get('passwordauthentication') !== expectPassword) {
    throw new TaskFailure(
      TaskFailures.SshdConfigInvalid,
      `PasswordAuthentication stays ${settings.get('passwordauthentication') ?? 'unknown'} for ${server.user} (a Match block overrides it)`,
    );
  }
  return settings.get('pidfile') ?? '/run/sshd.pid';
}

async function reload(r: Remote, pidFile: string): Promise<void> {
  const k = await r.exec(`kill -HUP "$(cat ${quote(pidFile)})"`);
  if (k.code !== 0) throw new TaskFailure(TaskFailures.SshdConfigInvalid, `sshd could not be reloaded (${k.stderr.trim().slice(0, 200)})`);
}

/**
 * Replaces sshd_config by `edit(original)`, validates, reloads and proves `prove` logs in; on any
 * failure the original is written back (and sshd reloaded if it had been) before rethrowing.
 */
async function changeSshdConfig(
  r: Remote,
  server: BindTarget,
  edit: (c: Buffer) => Buffer,
  expectPassword: 'yes' | 'no',
  prove: { auth: SshAuth; what: string; refused?: TaskFailure['code']; passwordNowRefused?: string },
): Promise<{ undo: (r: Remote) => Promise<void> }> {
  await requireRoot(r, server);
  const st = await r.stat(server.sshd_config);
  if (!st) throw new TaskFailure(TaskFailures.RemoteFileError, `${server.sshd_config} does not exist`);
  const original = await r.read(server.sshd_config);
  const edited = edit(original);
  const mode = st.mode & 0o7777;
  let reloaded = false;
  const undo = async (via: Remote): Promise<void> => {
    const now = await via.readIfReadable(server.sshd_config);
    if (!now?.equals(original)) await via.writeAtomic(server.sshd_config, original, mode);
    if (reloaded) await reload(via, await validateConfig(via, server, null));
  };
  if (edited.equals(original)) return { undo: async () => undefined };
  await r.writeAtomic(`${server.sshd_config}${BACKUP_SUFFIX}`, original, mode);
  await r.writeAtomic(server.sshd_config, edited, mode);
  try {
    const pidFile = await validateConfig(r, server, expectPassword);
    await reload(r, pidFile);
    reloaded = true;
    if (prove.passwordNowRefused !== undefined) await awaitPasswordRefused(server, prove.passwordNowRefused);
    await proveLogin(server, prove.auth, prove.what, prove.refused, true);
  } catch (e) {
    throw await rollback(r, server, prove.auth, undo, e);
  }
  return { undo };
}

/**
 * Stops at a step boundary once the task was cancelled (Ctrl-C): the throw takes the usual
 * failure path, so what was changed so far is rolled back.
 */
function checkpoint(hooks: Hooks): void {
  if (hooks.signal?.aborted) throw new TaskFailure(TaskFailures.Cancelled, '');
}

/** Binds (fresh, replace or reset): see the module comment for the order of steps. */
export async function bind(plan: BindPlan, hooks: Hooks = {}): Promise<void> {
  const { server } = plan;
  const line = keyholdLine(plan.publicKey, plan.keypairName);
  const ctl = await login(server, plan.auth, hooks);
  const undos: ((r: Remote) => Promise<void>)[] = [];
  try {
    const kf = await openKeysFile(ctl, server, true);
    undos.push((r) => restoreKeys(r, kf));
    const replaced = keyholdLines(kf.original).filter((l) => `${l.key_type} ${l.blob} ${TAG}${l.keypair_name}` !== line);
    if ((replaced.length > 0 || plan.disablePassword) && !plan.proofKey) {
      throw new TaskFailure(
        TaskFailures.WouldLockOut,
        `${replaced.length ? `removing the bound key pair ${replaced[0]?.keypair_name}` : 'disabling password login'} needs proof that the new key logs in; give the key pair's private key`,
      );
    }
    const added = withLine(kf.original, line);
    if (!added.equals(kf.original)) {
      if (kf.existed) await ctl.writeAtomic(`${kf.path}${BACKUP_SUFFIX}`, kf.original, 0o600);
      await writeKeys(ctl, kf, added);
    }
    checkpoint(hooks);
    const proof: SshAuth | null = plan.proofKey ? { type: 'key', privateKey: plan.proofKey } : null;
    if (proof) await proveLogin(server, proof, `the new key pair ${plan.keypairName}`);
    checkpoint(hooks);
    if (replaced.length > 0 && proof) {
      await writeKeys(ctl, kf, withoutKeyholdLines(added, line));
      await proveLogin(server, proof, `the new key pair ${plan.keypairName}, once the old one was removed,`);
      checkpoint(hooks);
    }
    if (plan.disablePassword && proof) {
      const change = await changeSshdConfig(ctl, server, withPasswordBlock, 'no', {
        auth: proof,
        what: `the new key pair ${plan.keypairName}, with password login disabled,`,
        ...(plan.auth.type === 'password' ? { passwordNowRefused: plan.auth.password } : {}),
      });
      undos.unshift(change.undo);
      checkpoint(hooks);
    }
  } catch (e) {
    throw await rollback(
      ctl,
      server,
      plan.auth,
      async (r) => {
        for (const undo of undos) await undo(r);
      },
      e,
    );
  } finally {
    ctl.close();
  }
}

/**
 * Unbinds: restores password login if Keyhold disabled it, removes Keyhold's lines, and proves
 * that `auth` still logs in; refuses up front when `auth` is the very key being removed.
 * Returns the names of the key pairs removed.
 */
export async function unbind(plan: UnbindPlan, hooks: Hooks = {}): Promise<string[]> {
  const { server } = plan;
  let ctl: Remote;
  try {
    ctl = await login(server, plan.auth, hooks);
  } catch (e) {
    // With password login off, a password cannot log in: the bound key opens the control session.
    if (!(e instanceof TaskFailure && e.code === TaskFailures.AuthenticationFailed && plan.controlKey)) throw e;
    ctl = await login(server, { type: 'key', privateKey: plan.controlKey }, hooks);
  }
  const undos: ((r: Remote) => Promise<void>)[] = [];
  try {
    const kf = await openKeysFile(ctl, server, false);
    const ours = keyholdLines(kf.original);
    if (plan.authBlob && ours.some((l) => l.blob === plan.authBlob) && !authorisesBlob(kf.original, plan.authBlob, true)) {
      throw new TaskFailure(
        TaskFailures.WouldLockOut,
        'the key given to log in is the bound key itself, so it would stop working; give the password or another private key that stays authorised',
      );
    }
    const config = await ctl.readIfReadable(server.sshd_config);
    if (config && hasPasswordBlock(config.toString('latin1'))) {
      const change = await changeSshdConfig(ctl, server, withoutPasswordBlock, 'yes', {
        auth: plan.auth,
        what: 'the credential given, with password login restored,',
        refused: TaskFailures.AuthenticationFailed,
      });
      undos.push(change.undo);
      checkpoint(hooks);
    }
    if (ours.length > 0) {
      undos.unshift((r) => restoreKeys(r, kf));
      await ctl.writeAtomic(`${kf.path}${BACKUP_SUFFIX}`, kf.original, 0o600);
      await writeKeys(ctl, kf, withoutKeyholdLines(kf.original));
      checkpoint(hooks);
    }
    await proveLogin(server, plan.auth, 'the credential given, once the key pair was removed,', TaskFailures.AuthenticationFailed);
    checkpoint(hooks);
    return ours.map((l) => l.keypair_name);
  } catch (e) {
    throw await rollback(
      ctl,
      server,
      plan.controlKey ? { type: 'key', privateKey: plan.controlKey } : plan.auth,
      async (r) => {
        for (const undo of undos) await undo(r);
      },
      e,
    );
  } finally {
    ctl.close();
  }
}
