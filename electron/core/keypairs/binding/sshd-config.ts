/**
 * What binding reads from and writes to sshd_config. Reading: the AuthorizedKeysFile that applies
 * (outside Match blocks). Writing: one marked block at the very top of the file, because sshd
 * keeps the first value it reads for a keyword, and a top block wins over `Include`d files such
 * as a cloud image's 50-cloud-init.conf. Removing the block restores the rest byte for byte.
 */

export const BLOCK_BEGIN =
  '# keyhold: begin - password login disabled by Keyhold (kps associate-keypair disable_password); kps disassociate-keypair removes this block';
export const BLOCK_END = '# keyhold: end';
const BLOCK = `${BLOCK_BEGIN}\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n${BLOCK_END}\n`;

const DEFAULT_KEYS_FILE = '.ssh/authorized_keys';

/** A config line's keyword (lower case) and first argument; `Keyword=value` and quotes allowed. */
function keywordAndValue(line: string): [string, string] | undefined {
  const m = /^\s*([A-Za-z]+)(?:\s*=\s*|\s+)(?:"([^"]*)"|(\S+))/.exec(line.replace(/#.*$/, ''));
  return m ? [(m[1] as string).toLowerCase(), m[2] ?? m[3] ?? ''] : undefined;
}

/**
 * The authorized_keys path sshd reads first for `user` (home `home`), from the main config's
 * AuthorizedKeysFile outside Match blocks; the default when absent. `null` means the server
 * reads no key files (`none`), so there is nothing binding could write.
 */
export function authorizedKeysPath(config: string | undefined, user: string, home: string): string | null {
  let value = DEFAULT_KEYS_FILE;
  for (const raw of (config ?? '').split('\n')) {
    const kv = keywordAndValue(raw);
    if (kv?.[0] === 'match') break;
    if (kv?.[0] === 'authorizedkeysfile' && kv[1]) {
      value = kv[1];
      break;
    }
  }
  if (value.toLowerCase() === 'none') return null;
  const expanded = value.replace(/%([%hu])/g, (_m, t: string) => (t === '%' ? '%' : t === 'h' ? home : user));
  return expanded.startsWith('/') ? expanded : `${home.replace(/\/$/, '')}/${expanded}`;
}

export function hasPasswordBlock(config: string): boolean {
  return config.split('\n').some((l) => l.replace(/\r$/, '') === BLOCK_BEGIN);
}

/** The config with Keyhold's block first; unchanged if it is already there. */
export function withPasswordBlock(config: Buffer): Buffer {
  const text = config.toString('latin1');
  return hasPasswordBlock(text) ? config : Buffer.concat([Buffer.from(BLOCK, 'utf8'), config]);
}

/** The config without Keyhold's block (begin marker to end marker, inclusive). */
export function withoutPasswordBlock(config: Buffer): Buffer {
  const begin = config.indexOf(Buffer.from(`${BLOCK_BEGIN}\n`, 'utf8'));
  if (begin < 0) return config;
  const endMarker = Buffer.from(`${BLOCK_END}\n`, 'utf8');
  const end = config.indexOf(endMarker, begin);
  if (end < 0) return config;
  return Buffer.concat([config.subarray(0, begin), config.subarray(end + endMarker.length)]);
}

/** `sshd -T` output as keyword → value (keywords are printed in lower case). */
export function effectiveSettings(dump: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of dump.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp > 0 && !m.has(line.slice(0, sp))) m.set(line.slice(0, sp), line.slice(sp + 1).trim());
  }
  return m;
}
