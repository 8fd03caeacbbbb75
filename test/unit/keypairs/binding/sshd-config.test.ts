import { describe, expect, it } from 'vitest';
import {
  authorizedKeysPath,
  BLOCK_BEGIN,
  effectiveSettings,
  hasPasswordBlock,
  withoutPasswordBlock,
  withPasswordBlock,
} from '../../../../electron/core/keypairs/binding/sshd-config.js';

describe('sshd_config: AuthorizedKeysFile', () => {
  it('defaults to ~/.ssh/authorized_keys when the config is unreadable or silent', () => {
    expect(authorizedKeysPath(undefined, 'alice', '/home/alice')).toBe('/home/alice/.ssh/authorized_keys');
    expect(authorizedKeysPath('Port 22\n', 'alice', '/home/alice/')).toBe('/home/alice/.ssh/authorized_keys');
  });

  it('takes the first file of the first AuthorizedKeysFile outside Match, expanding %h %u %%', () => {
    const config =
      '# AuthorizedKeysFile /nope\nauthorizedkeysfile=/etc/ssh/keys/%u.%% .ssh/authorized_keys\nAuthorizedKeysFile /second\nMatch User bob\n  AuthorizedKeysFile /bob\n';
    expect(authorizedKeysPath(config, 'alice', '/home/alice')).toBe('/etc/ssh/keys/alice.%');
    expect(authorizedKeysPath('AuthorizedKeysFile "%h/keys file"\n', 'a', '/h')).toBe('/h/keys file');
    expect(authorizedKeysPath('Match all\nAuthorizedKeysFile /x\n', 'a', '/h')).toBe('/h/.ssh/authorized_keys');
  });

  it('reports none: the server reads no key files', () => {
    expect(authorizedKeysPath('AuthorizedKeysFile none\n', 'a', '/h')).toBeNull();
  });
});

describe('sshd_config: the password block', () => {
  const config = Buffer.from('Include /etc/ssh/sshd_config.d/*.conf\r\nPasswordAuthentication yes\n\xe9\n', 'latin1');

  it('goes first (before Include, so it wins) and comes out leaving the rest byte for byte', () => {
    const on = withPasswordBlock(config);
    expect(on.toString('latin1').startsWith(`${BLOCK_BEGIN}\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n# keyhold: end\nInclude`)).toBe(true);
    expect(hasPasswordBlock(on.toString('latin1'))).toBe(true);
    expect(withPasswordBlock(on).equals(on)).toBe(true);
    expect(withoutPasswordBlock(on).equals(config)).toBe(true);
    expect(withoutPasswordBlock(config).equals(config)).toBe(true);
  });

  it('reads sshd -T output, first value of each keyword', () => {
    const s = effectiveSettings('port 22\npasswordauthentication no\npidfile /run/sshd.pid\npasswordauthentication yes\n');
    expect(s.get('passwordauthentication')).toBe('no');
    expect(s.get('pidfile')).toBe('/run/sshd.pid');
  });
});
