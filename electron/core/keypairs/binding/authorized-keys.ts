/**
 * Editing authorized_keys without touching what Keyhold did not write. Keyhold's lines have no
 * options and carry the tag `keyhold:<key pair name>` as their comment; every other line (keys,
 * options, comments, blank lines, CRLF endings, odd bytes) is kept byte for byte. The file is
 * handled as latin1 text, which maps each byte to one character and back unchanged.
 */

export const TAG = 'keyhold:';

const KEY = '((?:ssh|ecdsa|sk)-[a-z0-9@.-]+) ([A-Za-z0-9+/]{16,}={0,2})';
const OURS = new RegExp(`^${KEY} keyhold:([A-Za-z0-9_-]{1,64})\\r?$`);
const PUBLIC_LINE = new RegExp(`^${KEY}(?: .*)?$`);

export interface KeyholdLine {
  keypair_name: string;
  key_type: string;
  /** The base64 key blob. */
  blob: string;
}

/** The line Keyhold writes for a key pair, from its OpenSSH public line (comment dropped). */
export function keyholdLine(publicKey: string, keypairName: string): string {
  const m = PUBLIC_LINE.exec(publicKey.trim());
  if (!m) throw new Error('not an OpenSSH public key line');
  return `${m[1]} ${m[2]} ${TAG}${keypairName}`;
}

/** Lines with their terminators (the last may have none). */
function lines(content: Buffer): string[] {
  return content.toString('latin1').match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function bare(line: string): string {
  return line.endsWith('\n') ? line.slice(0, -1) : line;
}

function parseOurs(line: string): KeyholdLine | undefined {
  const m = OURS.exec(bare(line));
  return m ? { key_type: m[1] as string, blob: m[2] as string, keypair_name: m[3] as string } : undefined;
}

/** The lines Keyhold wrote, in file order. */
export function keyholdLines(content: Buffer): KeyholdLine[] {
  return lines(content).flatMap((l) => parseOurs(l) ?? []);
}

/** Whether any line (ours or not) authorises this key blob; used to judge lock-out risk. */
export function authorisesBlob(content: Buffer, blob: string, exceptOurs = false): boolean {
  return lines(content).some((l) => {
    if (exceptOurs && parseOurs(l)) return false;
    // A foreign line may have options before the key type; the blob is a whole token either way.
    return bare(l).replace(/\r$/, '').split(/\s+/).includes(blob);
  });
}

/** `content` with `line` appended unless it is already there; nothing else changes. */
export function withLine(content: Buffer, line: string): Buffer {
  const all = lines(content);
  if (all.some((l) => bare(l).replace(/\r$/, '') === line)) return content;
  const text = content.toString('latin1');
  const sep = text.length === 0 || text.endsWith('\n') ? '' : '\n';
  return Buffer.from(`${text}${sep}${line}\n`, 'latin1');
}

/** `content` without Keyhold's lines, except one equal to `keep`; foreign lines untouched. */
export function withoutKeyholdLines(content: Buffer, keep?: string): Buffer {
  const kept = lines(content).filter((l) => !parseOurs(l) || (keep !== undefined && bare(l).replace(/\r$/, '') === keep));
  return Buffer.from(kept.join(''), 'latin1');
}
