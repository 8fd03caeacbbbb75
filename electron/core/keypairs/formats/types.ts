/** What every codec in this folder reads into and writes from. */
import { KEY_FILE_FORMATS } from '../../../../shared/operations/kps.js';
import type { PrivateKey, PublicKey } from '../key.js';

/** The FMT names of the command line (DESIGN §8), declared with the operations. */
export const FORMAT_NAMES = KEY_FILE_FORMATS;
export type FormatName = (typeof FORMAT_NAMES)[number];

export interface ParsedKey {
  format: FormatName;
  encrypted: boolean;
  /** UTF-8; empty when the format has no comment (PEM, PKCS#8). */
  comment: string;
  publicKey: PublicKey;
  /** Absent for public-key formats, and for encrypted files read without a passphrase. */
  privateKey?: PrivateKey;
}

export interface ParseOptions {
  passphrase?: string;
  /**
   * How the text was decoded from bytes: UTF-8 when valid, else Latin-1 so that every byte
   * survives (PPK's MAC covers the comment's exact bytes, and old PuTTY wrote code-page text).
   */
  encoding?: 'utf8' | 'latin1';
}

export interface WriteOptions {
  comment: string;
  /** Encrypts the output when non-empty. */
  passphrase?: string;
}

export interface PrivateCodec {
  /** True when `text` looks like this format (by content, never by file name). */
  detect(text: string): boolean;
  /** Total: a value or a KeyholdError, never another exception, never unbounded work. */
  parse(text: string, opts: ParseOptions): Promise<ParsedKey>;
  serialize(key: PrivateKey, opts: WriteOptions): Promise<string>;
}

export interface PublicCodec {
  detect(text: string): boolean;
  parse(text: string): ParsedKey;
  serialize(key: PublicKey, comment: string): string;
}
