// Which remote endpoints `remote add` warns about: cleartext to another host, never loopback or TLS.
import { describe, expect, it } from 'vitest';
import { isCleartextRemote } from '../../../electron/cli/endpoint.js';

describe('isCleartextRemote', () => {
  it('flags http:// to another host', () => {
    for (const url of [
      'http://10.1.2.3:8443',
      'http://kms.example.com',
      'http://[2001:db8::1]/',
      'http://128.0.0.1',
      'http://localhost.example.com',
      'http://[::ffff:10.0.0.1]/',
    ]) {
      expect(isCleartextRemote(url), url).toBe(true);
    }
  });

  it('accepts https:// anywhere and http:// on loopback', () => {
    for (const url of [
      'https://10.1.2.3:8443',
      'http://127.0.0.1:8080',
      'http://127.9.9.9',
      'http://[::1]:1',
      'http://localhost:1',
      'http://LOCALHOST',
      'http://api.localhost',
      'http://[::ffff:127.0.0.1]/',
    ]) {
      expect(isCleartextRemote(url), url).toBe(false);
    }
  });

  it("leaves a non-URL to the operation's own validation", () => {
    expect(isCleartextRemote('not a url')).toBe(false);
  });
});
