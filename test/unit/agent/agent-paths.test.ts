/**
 * Where the agent listens, per platform: Unix sockets in the private runtime directory, and on
 * Windows named pipes named for the user and the vault (never the OpenSSH service's own pipe),
 * which are not files to check, remove or watch. Only the naming is testable on Linux.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentPaths, checkSocketBeforeConnect, isPipe } from '../../../electron/agent/paths.js';
import { tempDir } from '../../helpers/vault.js';

describe('agent paths', () => {
  const vault = join(tempDir(), 'vault.db');

  it('Unix: two sockets and a log in the runtime directory, by a hash of the vault path', () => {
    const p = agentPaths(vault, 'linux');
    expect(p.cli).toMatch(/keyhold(-\d+)?\/[0-9a-f]{16}\.cli\.sock$/);
    expect(p.ssh).toBe(p.cli.replace('.cli.sock', '.ssh.sock'));
    expect(isPipe(p.ssh)).toBe(false);
  });

  it('Windows: named pipes per user and vault, not \\\\.\\pipe\\openssh-ssh-agent', () => {
    const p = agentPaths(vault, 'win32');
    const id = agentPaths(vault, 'linux').cli.match(/([0-9a-f]{16})\.cli\.sock$/)?.[1];
    expect(p.ssh).toMatch(new RegExp(`^\\\\\\\\\\.\\\\pipe\\\\keyhold-[A-Za-z0-9_.-]+-${id}-ssh$`));
    expect(p.cli).toBe(p.ssh.replace(/-ssh$/, '-cli'));
    expect(p.ssh).not.toContain('openssh-ssh-agent');
    expect(isPipe(p.ssh) && isPipe(p.cli)).toBe(true);
    expect(agentPaths(join(tempDir(), 'other.db'), 'win32').ssh).not.toBe(p.ssh);
    // A pipe is not a file: the client cannot check it before connecting, connecting decides.
    expect(checkSocketBeforeConnect(p.cli)).toBe(true);
  });
});
