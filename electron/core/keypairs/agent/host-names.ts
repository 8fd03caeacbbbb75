/**
 * Which names a server is known by, from the only thing the agent learns about it: the host key
 * ssh bound the connection to (session-bind@openssh.com, docs/agent.md). Two sources, both the
 * user's own records of which key belongs to which host: the servers Keyhold pinned
 * (`servers pin-host-key`) and OpenSSH's known_hosts files (sshd(8) "SSH_KNOWN_HOSTS FILE
 * FORMAT"). Hashed known_hosts entries (`|1|salt|HMAC-SHA1(salt, name)`) hide their names; they
 * can only be checked against a literal name, so a wildcard pattern never matches them.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface HashedName {
  salt: Buffer;
  hash: Buffer;
}

/** The names one host key is known by. Names are lower case, as ssh compares and hashes them. */
export interface KnownNames {
  names: Set<string>;
  hashed: HashedName[];
}

export function emptyKnownNames(): KnownNames {
  return { names: new Set(), hashed: [] };
}

/** The SHA256 fingerprint of a public key blob, as `ssh-keygen -l` prints it. */
function blobFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

const isPattern = (name: string) => /[*?!]/.test(name);

/** A plain name of a known_hosts entry: `host` and `[host]:port`; a port-qualified name counts for the bare host too. */
export function addName(into: KnownNames, raw: string): void {
  const name = raw.toLowerCase();
  // An entry's own wildcard (`*.example.com`) says which names may have this key, not which one this is.
  if (!name || isPattern(name)) return;
  into.names.add(name);
  const bracketed = /^\[([^\]]+)\]:\d{1,5}$/.exec(name);
  if (bracketed?.[1]) into.names.add(bracketed[1]);
}

/**
 * Adds the names known_hosts `text` gives the key with `fingerprint`. A `@revoked` line for that
 * key means no names at all: the result says so, and the caller must not use any other source.
 * `@cert-authority` lines name a CA, not this key, and are skipped. Lines that do not parse are
 * skipped, as ssh skips them.
 */
export function namesFromKnownHosts(text: string, fingerprint: string, into: KnownNames): { revoked: boolean } {
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith('#')) continue;
    const marker = fields[0].startsWith('@') ? fields.shift() : undefined;
    const [hosts, , keyBase64] = fields;
    if (!hosts || !keyBase64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(keyBase64)) continue;
    if (blobFingerprint(Buffer.from(keyBase64, 'base64')) !== fingerprint) continue;
    if (marker === '@revoked') return { revoked: true };
    if (marker !== undefined) continue;
    for (const h of hosts.split(',')) {
      const hashed = /^\|1\|([A-Za-z0-9+/]+={0,2})\|([A-Za-z0-9+/]+={0,2})$/.exec(h);
      if (hashed?.[1] && hashed[2]) into.hashed.push({ salt: Buffer.from(hashed[1], 'base64'), hash: Buffer.from(hashed[2], 'base64') });
      else if (!h.startsWith('|')) addName(into, h);
    }
  }
  return { revoked: false };
}

/** OpenSSH's wildcard match (`*` any run, `?` one character), iterative: linear in practice, no regex. */
export function wildcardMatch(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let star = -1;
  let mark = 0;
  while (n < name.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === name[n])) {
      p++;
      n++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = n;
    } else if (star >= 0) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

function hashedMatch(h: HashedName, name: string): boolean {
  const mac = createHmac('sha1', h.salt).update(name).digest();
  return mac.length === h.hash.length && timingSafeEqual(mac, h.hash);
}

/** Whether one (non-negated) pattern names this host. */
function patternHits(pattern: string, known: KnownNames): boolean {
  const p = pattern.toLowerCase();
  if (!isPattern(p)) return known.names.has(p) || known.hashed.some((h) => hashedMatch(h, p));
  for (const name of known.names) if (wildcardMatch(p, name)) return true;
  return false;
}

/**
 * The first pattern of `patterns` that names this host, as ssh_config's `Host` reads a list:
 * a negated pattern (`!name`) that names the host excludes it whatever else matches.
 */
export function matchingPattern(patterns: readonly string[], known: KnownNames): string | undefined {
  if (patterns.some((p) => p.startsWith('!') && patternHits(p.slice(1), known))) return undefined;
  return patterns.find((p) => !p.startsWith('!') && patternHits(p, known));
}
