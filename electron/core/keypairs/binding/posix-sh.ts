/**
 * The file steps of a binding as POSIX `sh` commands, for servers without an sftp subsystem
 * (hardened images often remove it): the same guarantees as over SFTP — a temp file beside the
 * target created with the target's mode, read back and compared, then `mv`-ed into place (one
 * rename(2) in one directory) — written with utilities every POSIX system has. `LC_ALL=C`
 * makes error texts and `ls` output parseable. Pure: building commands and reading their
 * output, so each rule has a unit test.
 */

/** One word for sh: single-quoted, a `'` inside closed, escaped and reopened. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Prefix of every command: predictable error texts and `ls` columns. */
export const SH_PRELUDE = 'LC_ALL=C; export LC_ALL;';

export type FileKind = 'file' | 'dir' | 'link' | 'other';

/** What binding needs of a file's metadata, whichever channel read it. */
export interface FileStat {
  kind: FileKind;
  /** Permission bits with setuid/setgid/sticky (0o7777). */
  mode: number;
  uid: number;
  gid: number;
}

/**
 * Reads `ls -lnd` output (POSIX: mode string, links, numeric owner and group, …). The mode
 * string may end in an ACL/SELinux mark (`+`, `.`, `@`), which is ignored.
 */
export function parseLsLine(line: string): FileStat | undefined {
  const m = /^([-dlbcps])([-r][-w][-xsS])([-r][-w][-xsS])([-r][-w][-xtT])[+.@]?\s+\d+\s+(\d{1,10})\s+(\d{1,10})\s/.exec(line);
  if (!m) return undefined;
  const [, type, u, g, o, uid, gid] = m as unknown as [string, string, string, string, string, string, string];
  const bits = (t: string, shift: number): number =>
    (t[0] === 'r' ? 4 << shift : 0) | (t[1] === 'w' ? 2 << shift : 0) | ('xst'.includes(t[2] ?? '-') ? 1 << shift : 0);
  let mode = bits(u, 6) | bits(g, 3) | bits(o, 0);
  if ('sS'.includes(u[2] ?? '')) mode |= 0o4000;
  if ('sS'.includes(g[2] ?? '')) mode |= 0o2000;
  if ('tT'.includes(o[2] ?? '')) mode |= 0o1000;
  const kind: FileKind = type === '-' ? 'file' : type === 'd' ? 'dir' : type === 'l' ? 'link' : 'other';
  return { kind, mode, uid: Number(uid), gid: Number(gid) };
}

/** `lstat`: prints `ls -lnd` of the path, or `MISSING` when neither it nor a link by its name exists. */
export function lstatCommand(path: string): string {
  const p = shQuote(path);
  return `${SH_PRELUDE} if [ -e ${p} ] || [ -L ${p} ]; then ls -lnd -- ${p}; else echo MISSING; fi`;
}

/**
 * The real path, every symbolic link followed: a directory by POSIX `cd -P` and `pwd -P`; a
 * file (a link to follow) by realpath(1), else GNU/BusyBox/BSD `readlink -f`.
 */
export function realpathCommand(path: string): string {
  const p = shQuote(path);
  return `${SH_PRELUDE} if [ -d ${p} ]; then cd -P -- ${p} && pwd -P; else realpath -- ${p} 2>/dev/null || readlink -f -- ${p}; fi`;
}

/** The login directory as sshd started the command in it, symbolic links resolved. */
export const HOME_COMMAND = `${SH_PRELUDE} pwd -P`;

/**
 * Creates `temp` (an absolute path, which must not exist: `set -C`) from stdin with `mode`, then the owner the
 * target had, and flushes it. Prints nothing on success.
 */
export function writeTempCommand(temp: string, mode: number, owner?: { uid: number; gid: number }): string {
  const t = shQuote(temp);
  const chown = owner ? ` && chown ${owner.uid}:${owner.gid} ${t}` : '';
  return `${SH_PRELUDE} umask 077 && set -C && cat > ${t} && chmod ${(mode & 0o7777).toString(8)} ${t}${chown} && { sync 2>/dev/null || :; }`;
}

/** Removes temp files an interrupted write of `path` left beside it (`.<name>*.keyhold-tmp-*`). */
export function removeStaleTempsCommand(dir: string, base: string, mark: string): string {
  return `${SH_PRELUDE} for f in ${shQuote(dir)}/${shQuote(`.${base}`)}*${shQuote(mark)}*; do if [ -f "$f" ] && [ ! -L "$f" ]; then rm -f -- "$f" || exit 1; fi; done`;
}
