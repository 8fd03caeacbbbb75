/**
 * Whether a remote endpoint would carry requests in clear text over a network: an http:// URL
 * whose host is not this machine. Loopback (localhost, 127.0.0.0/8, ::1) never leaves the host,
 * so `keyhold serve` on 127.0.0.1 stays usable without TLS.
 */
import { isIPv4 } from 'node:net';

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIPv4(host)) return host.startsWith('127.');
  if (host === '::1') return true;
  const mapped = /^::ffff:(.+)$/.exec(host)?.[1];
  return mapped !== undefined && ((isIPv4(mapped) && mapped.startsWith('127.')) || mapped === '7f00:1' || /^7f[0-9a-f]{2}:/.test(mapped));
}

export function isCleartextRemote(endpoint: string): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false; // not a URL: the operation's own validation names the field
  }
  return url.protocol === 'http:' && !isLoopback(url.hostname);
}
