/**
 * Which program is at the other end of a connection to the agent's socket, on Linux, without
 * native code: Node.js cannot read SO_PEERCRED, but the kernel's socket table can be read with
 * `ss -xp` (iproute2): the row of our end names its peer's inode, the peer's row names the
 * process holding it (only the user's own processes, and root's to root). /proc/<pid>/cmdline
 * then gives the command. Best effort, for the confirmation dialog only: never a basis for a
 * security decision (a pid can be reused, a process can name itself anything), and undefined
 * wherever the platform or the tools do not tell.
 */
import { execFile } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import type { Socket } from 'node:net';

export interface PeerProcess {
  pid: number;
  command: string;
}

/** The inode of a connected Unix socket of this process, from /proc/self/fd. */
function socketInode(socket: Socket): number | undefined {
  // Node's handle exposes the descriptor on Unix; there is no public API for it.
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return undefined;
  try {
    const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** From `ss -xp` output: the pid holding the peer of the socket with inode `local`. */
export function peerPid(ssOutput: string, local: number): number | undefined {
  const rows = ssOutput.split('\n').map((line) => {
    // u_str ESTAB 0 0  <path|*> <inode>  <path|*> <peer inode> users:(("ssh",pid=1,fd=3))
    const m = /^\S+\s+\S+\s+\d+\s+\d+\s+\S+\s+(\d+)\s+\S+\s+(\d+)(?:\s+users:\(\("(?:[^"\\]|\\.)*",pid=(\d+),)?/.exec(line.trim());
    return m ? { inode: Number(m[1]), peer: Number(m[2]), pid: m[3] ? Number(m[3]) : undefined } : undefined;
  });
  const ours = rows.find((r) => r?.inode === local);
  if (!ours) return undefined;
  return rows.find((r) => r?.inode === ours.peer)?.pid;
}

function commandOf(pid: number): string | undefined {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return args.length ? args.join(' ').slice(0, 300) : undefined;
  } catch {
    return undefined;
  }
}

export async function peerProcess(socket: Socket, platform: NodeJS.Platform = process.platform): Promise<PeerProcess | undefined> {
  if (platform !== 'linux') return undefined;
  const local = socketInode(socket);
  if (local === undefined) return undefined;
  const out = await new Promise<string>((resolve) =>
    execFile('ss', ['-xpn'], { timeout: 2000, maxBuffer: 8 * 1024 * 1024 }, (err, stdout) => resolve(err ? '' : stdout)),
  );
  const pid = peerPid(out, local);
  if (pid === undefined) return undefined;
  const command = commandOf(pid);
  return command ? { pid, command } : undefined;
}
