/**
 * The names of the server behind a host key, from the user's own records: the servers Keyhold
 * pinned, and OpenSSH's known_hosts files (the user's and the system's, read afresh each time, as
 * ssh adds hosts to them). A file larger than KNOWN_HOSTS_MAX is not read (a value, never a huge
 * allocation); a missing one is simply empty.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ServerInfo } from '../../../../shared/operations/servers.js';
import type { RecordStore } from '../../vault/store.js';
import { SERVER_TABLE } from '../../servers/inventory.js';
import { addName, emptyKnownNames, namesFromKnownHosts, type KnownNames } from './host-names.js';

const KNOWN_HOSTS_MAX = 8 * 1024 * 1024;

/** ssh's default UserKnownHostsFile and GlobalKnownHostsFile (ssh_config(5)). */
function knownHostsFiles(): string[] {
  const ssh = join(homedir(), '.ssh');
  return [join(ssh, 'known_hosts'), join(ssh, 'known_hosts2'), '/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
}

function readBounded(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > KNOWN_HOSTS_MAX) return '';
    const buf = Buffer.alloc(st.size);
    const n = readSync(fd, buf, 0, st.size, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Every name the user's records give the server with this host key fingerprint. */
export function knownNamesOf(store: RecordStore, fingerprint: string, files: readonly string[] = knownHostsFiles()): KnownNames {
  const known = emptyKnownNames();
  for (const file of files) {
    // A key revoked in known_hosts names nothing, whatever Keyhold pinned.
    if (namesFromKnownHosts(readBounded(file), fingerprint, known).revoked) return emptyKnownNames();
  }
  for (const s of store.list<ServerInfo>(SERVER_TABLE)) {
    if (s.host_key_fingerprint !== fingerprint) continue;
    addName(known, s.port === 22 ? s.host : `[${s.host}]:${s.port}`);
  }
  return known;
}
