// Web mode's Host allow-list: loopback, the bound address and the --allow-host names, with the
// port; also on a wildcard bind, where the bind address names no host at all.
import { describe, expect, it } from 'vitest';
import { parseServeFlags } from '../../../electron/cli/serve.js';
import { allowedHosts } from '../../../electron/server/ui-session.js';

describe('allowed hosts', () => {
  it('on a wildcard bind: loopback and the configured names only', () => {
    for (const bind of ['0.0.0.0', '::']) {
      expect([...allowedHosts(bind, 8080, ['Keyhold.LAN', '192.0.2.7', 'fe80::1'])].sort()).toEqual(
        ['127.0.0.1:8080', '192.0.2.7:8080', '[::1]:8080', '[fe80::1]:8080', 'keyhold.lan:8080', 'localhost:8080'].sort(),
      );
    }
  });

  it('on a specific bind: that address too', () => {
    expect(allowedHosts('192.0.2.9', 1, [])).toEqual(new Set(['localhost:1', '127.0.0.1:1', '[::1]:1', '192.0.2.9:1']));
  });

  it('serve takes --allow-host as a comma-separated list and refuses anything that is not a host', () => {
    expect(parseServeFlags(new Map([['allow-host', 'a.example, 192.0.2.7']])).allowHosts).toEqual(['a.example', '192.0.2.7']);
    for (const bad of ['http://a.example', 'a.example:80', 'a b', ',']) {
      expect(() => parseServeFlags(new Map([['allow-host', bad]]))).toThrow(expect.objectContaining({ code: 'CLI.0002' }));
    }
  });
});
