const ASCII = /^[^\u0080-\uffff]*$/;

/** UTF-8 byte length without TextEncoder, which is not in shared/'s (DOM-free, Node-free) lib. */
export function utf8Length(s: string): number {
  // All-ASCII text (the usual case) is one byte a character; the regex engine's native scan is
  // several times faster than the loop below on a 4 KB plain_text.
  if (ASCII.test(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4; // a surrogate pair is one 4-byte code point
      i++;
    } else n += 3; // BMP, or a lone surrogate (encoded as U+FFFD)
  }
  return n;
}

/**
 * Whether `s` is at most `max` bytes once UTF-8 encoded, counting only when the answer is not
 * already known from its length: a UTF-16 unit is 1-3 bytes (a surrogate pair, two units, is 4).
 */
export function utf8AtMost(s: string, max: number): boolean {
  if (s.length > max) return false;
  if (s.length * 3 <= max) return true;
  return utf8Length(s) <= max;
}
