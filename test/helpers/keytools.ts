/** The real tools the key-pair tests judge Keyhold by: ssh-keygen, puttygen and openssl. */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ToolResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/** Runs a tool with no terminal (stdin closed) so a passphrase prompt fails instead of hanging. */
export function tool(cmd: string, args: string[], timeout = 60_000): ToolResult {
  try {
    const stdout = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout });
    return { ok: true, stdout, stderr: '' };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, stdout: String(err.stdout ?? ''), stderr: String(err.stderr ?? '') };
  }
}

export function mustTool(cmd: string, args: string[]): string {
  const r = tool(cmd, args);
  if (!r.ok) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** The SHA256:… fingerprint in a line printed by ssh-keygen -l or puttygen -l. */
export function fingerprintIn(output: string): string | undefined {
  return /SHA256:[A-Za-z0-9+/]{43}/.exec(output)?.[0];
}

/** ssh-keygen's fingerprint of a public key file or line. */
export function sshKeygenFingerprint(dir: string, publicText: string): string | undefined {
  const f = join(dir, `fp-${process.hrtime.bigint()}.pub`);
  writeFileSync(f, publicText);
  return fingerprintIn(tool('ssh-keygen', ['-l', '-f', f]).stdout);
}

export function passFile(dir: string, name: string, passphrase: string): string {
  const f = join(dir, name);
  writeFileSync(f, passphrase);
  return f;
}
