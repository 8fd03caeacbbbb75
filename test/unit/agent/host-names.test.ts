/**
 * Host patterns of the agent: the names a host key is known by, from known_hosts files written
 * and hashed by the real `ssh-keygen` (its HMAC-SHA1 is the outside vector), matched with
 * OpenSSH's wildcards and negation; revoked keys name nothing; a wildcard never matches a hash.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyKnownNames, matchingPattern, namesFromKnownHosts, wildcardMatch } from '../../../electron/core/keypairs/agent/host-names.js';
import { sshKeygen } from '../../helpers/sshd.js';
import { tempDir } from '../../helpers/vault.js';

function fingerprintOf(pubPath: string): string {
  return spawnSync('ssh-keygen', ['-lf', pubPath], { encoding: 'utf8' }).stdout.split(' ')[1] as string;
}

function hostKey(): { line: string; fingerprint: string } {
  const k = sshKeygen(tempDir(), 'host');
  return { line: k.publicKey.trim().split(' ').slice(0, 2).join(' '), fingerprint: fingerprintOf(`${k.path}.pub`) };
}

/** A known_hosts file hashed by `ssh-keygen -H`, as ssh writes them with HashKnownHosts yes. */
function hashed(text: string): string {
  const file = join(tempDir(), 'known_hosts');
  writeFileSync(file, text);
  const r = spawnSync('ssh-keygen', ['-H', '-f', file], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const out = readFileSync(file, 'utf8');
  expect(out).toContain('|1|');
  return out;
}

describe('host names from known_hosts', () => {
  const key = hostKey();
  const other = hostKey();

  it('plain entries give their names, [host]:port also the bare host; other keys give nothing', () => {
    const known = emptyKnownNames();
    const r = namesFromKnownHosts(
      `# comment\nweb1.example.com,192.0.2.7 ${key.line}\n[db.example.com]:2222 ${key.line} a comment\nmail.example.com ${other.line}\n*.wild.example ${key.line}\ngarbage\n`,
      key.fingerprint,
      known,
    );
    expect(r.revoked).toBe(false);
    expect([...known.names].sort()).toEqual(['192.0.2.7', '[db.example.com]:2222', 'db.example.com', 'web1.example.com'].sort());
    expect(matchingPattern(['*.example.com'], known)).toBe('*.example.com');
    expect(matchingPattern(['mail.example.com'], known)).toBeUndefined();
    // The entry's own wildcard is not a name of this host.
    expect(matchingPattern(['x.wild.example', '*.wild.example'], known)).toBeUndefined();
  });

  it('hashed entries (ssh-keygen -H) match a literal pattern only', () => {
    const known = emptyKnownNames();
    namesFromKnownHosts(hashed(`web1.example.com ${key.line}\n[db.example.com]:2222 ${key.line}\nmail.example.com ${other.line}\n`), key.fingerprint, known);
    expect(known.names.size).toBe(0);
    expect(known.hashed.length).toBe(2);
    expect(matchingPattern(['WEB1.example.com'], known)).toBe('WEB1.example.com');
    expect(matchingPattern(['[db.example.com]:2222'], known)).toBe('[db.example.com]:2222');
    expect(matchingPattern(['mail.example.com', 'web2.example.com'], known)).toBeUndefined();
    expect(matchingPattern(['*.example.com', 'web1.*'], known)).toBeUndefined();
  });

  it('a negated pattern that names the host excludes it, whatever else matches', () => {
    const known = emptyKnownNames();
    namesFromKnownHosts(`bastion.example.com,10.0.0.1 ${key.line}\n`, key.fingerprint, known);
    expect(matchingPattern(['*.example.com', '!10.0.0.*'], known)).toBeUndefined();
    expect(matchingPattern(['!bastion.example.com', '*'], known)).toBeUndefined();
    expect(matchingPattern(['!other.example.com', '10.0.0.?'], known)).toBe('10.0.0.?');
    expect(matchingPattern(['!*'], known)).toBeUndefined();
  });

  it('a @revoked line for the key names nothing; @cert-authority lines are not this key', () => {
    const known = emptyKnownNames();
    expect(namesFromKnownHosts(`@cert-authority *.example.com ${key.line}\n`, key.fingerprint, known).revoked).toBe(false);
    expect(known.names.size).toBe(0);
    expect(namesFromKnownHosts(`web1.example.com ${key.line}\n@revoked * ${key.line}\n`, key.fingerprint, emptyKnownNames()).revoked).toBe(true);
    expect(namesFromKnownHosts(`web1.example.com ${key.line}\n@revoked * ${other.line}\n`, key.fingerprint, emptyKnownNames()).revoked).toBe(false);
  });

  it('wildcards as ssh reads them', () => {
    expect(wildcardMatch('*.example.com', 'a.b.example.com')).toBe(true);
    expect(wildcardMatch('*.example.com', 'example.com')).toBe(false);
    expect(wildcardMatch('web?', 'web1')).toBe(true);
    expect(wildcardMatch('web?', 'web10')).toBe(false);
    expect(wildcardMatch('*', '')).toBe(true);
    expect(wildcardMatch('a*b*c', 'aXbYbZc')).toBe(true);
    expect(wildcardMatch('a*b*c', 'aXbYbZ')).toBe(false);
  });
});
